# Kaplan-Meier under disclosure control: a seeded cohort of 1,200 patients over 3 centres (400 each), grouped by
# stage, and R's pooled survfit on the raw (unrounded) times: the whole step function per stage and the medians.
# Run from the repository root:  Rscript packages/stats/scripts/make-km-stage-fixture.R
suppressPackageStartupMessages(library(survival))
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "packages/stats/fixtures"
set.seed(20261207)
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
arr <- function(x) paste0("[", paste(if (is.character(x)) paste0("\"", x, "\"") else num(x), collapse = ","), "]")

gen <- function(centre, n, stageP) {
  stage <- sample(c("I", "II", "III", "IV"), n, replace = TRUE, prob = stageP)
  medianMonths <- c(I = 150, II = 80, III = 45, IV = 16)[stage]
  tt <- rexp(n, log(2) / medianMonths)
  # accrual over 5 years, analysis at 8 years, 10 % lost to follow-up early
  cens <- 96 - runif(n, 0, 60)
  lost <- runif(n) < 0.1
  cens[lost] <- runif(sum(lost), 0, cens[lost])
  data.frame(centre, stage, months = round(pmin(tt, cens), 2), dead = as.integer(tt <= cens),
    stringsAsFactors = FALSE)
}
d <- rbind(gen("A", 400, c(0.35, 0.3, 0.2, 0.15)), gen("B", 400, c(0.25, 0.3, 0.25, 0.2)),
  gen("C", 400, c(0.3, 0.3, 0.3, 0.1)))
write.csv(d, file.path(out, "km-stage-cohort.csv"), row.names = FALSE, quote = FALSE)

fit <- survfit(Surv(months, dead) ~ stage, data = d)
st <- rep(sub("stage=", "", names(fit$strata)), fit$strata)
med <- summary(fit)$table[, "median"]
fitc <- survfit(Surv(ceiling(months), dead) ~ stage, data = d)
lr <- survdiff(Surv(ceiling(months), dead) ~ stage, data = d)
writeLines(paste0("{",
  "\"strata\":", arr(st), ",\"time\":", arr(fit$time), ",\"surv\":", arr(fit$surv),
  ",\"nRisk\":", arr(fit$n.risk),
  ",\"levels\":", arr(sub("stage=", "", names(fit$strata))), ",\"median\":", arr(unname(med)),
  ",\"medianCoarsened\":", arr(unname(summary(fitc)$table[, "median"])),
  ",\"logrankCoarsened\":{\"chisq\":", num(lr$chisq), ",\"observed\":", arr(lr$obs), ",\"expected\":", arr(lr$exp), "}",
  "}"), file.path(out, "km-stage.json"))
