# Reference numbers for the federated survival validation (`validate-survival`): Harrell's C of a frozen
# Cox model, pooled, stratified by centre and per centre, with survival::concordance's standard error (the
# infinitesimal-jackknife variance), on the cohort with times coarsened as fedhub coarsens them
# (tc = ceiling(t / res) * res) and linear predictors on the declared score grid (q = round(lp / sres),
# half away from zero as JavaScript's Math.round does for these positive and negative values).
# Run from the repository root:  Rscript packages/stats/scripts/make-survival-validation-fixture.R
# Needs: r-base-core, r-cran-survival (Debian). JSON is written by hand (%.17g).
suppressPackageStartupMessages(library(survival))
invisible(Sys.setlocale("LC_COLLATE", "C"))
num <- function(x) sprintf("%.17g", x)
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
str <- function(x) paste0("[", paste0("\"", x, "\"", collapse = ","), "]")
obj <- function(...) {
  x <- list(...)
  paste0("{", paste0("\"", names(x), "\":", unlist(x), collapse = ","), "}")
}

d <- read.csv("packages/stats/fixtures/cohort.csv", stringsAsFactors = FALSE)
TRES <- 3    # timeResolution (months)
SRES <- 0.001 # scoreResolution
d$tc <- ceiling(d$months / TRES) * TRES
# JavaScript's Math.round: floor(x + 0.5)
jsRound <- function(x) floor(x + 0.5)

# The frozen model: a Cox fit of the pooled (uncoarsened) cohort, as a registered coxph model would be.
fit <- coxph(Surv(months, dead) ~ age + sex + factor(stage) + dose_gy, data = d, ties = "efron")
beta <- coef(fit)
X <- model.matrix(fit)
# accumulated term by term from 0, in the order fedhub sums them, so the grid rounding sees the same doubles
lp <- rep(0, nrow(d))
for (j in seq_along(beta)) lp <- lp + X[, j] * beta[[j]]
q <- jsRound(lp / SRES)

cc <- function(dd, x, strata = FALSE) {
  f <- if (strata) Surv(tc, dead) ~ x + strata(centre) else Surv(tc, dead) ~ x
  dd$x <- x
  r <- concordance(f, data = dd, reverse = TRUE)
  k <- if (is.matrix(r$count)) colSums(r$count) else r$count
  obj(n = num(nrow(dd)), events = num(sum(dd$dead)), concordance = num(r$concordance),
    variance = num(r$var), concordant = num(k[["concordant"]]), discordant = num(k[["discordant"]]),
    tiedScore = num(k[["tied.x"]]), tiedTime = num(k[["tied.y"]]), tiedBoth = num(k[["tied.xy"]]))
}
centres <- sort(unique(d$centre))
perCentre <- vapply(centres, function(c) cc(d[d$centre == c, ], q[d$centre == c]), "")
# a precomputed score column (the cohort's `score`) on the same grids, at timeResolution 1
d1 <- d
d1$tc <- ceiling(d1$months / 1) * 1
qs <- jsRound(d1$score / SRES)

# A small set built for the edge cases of the variance from binned counts: three strata (the third with no
# event), ties on time, on score and on both, censorings at event times and before a stratum's first event.
set.seed(7)
toy <- data.frame(
  time = c(sample(1:6, 36, replace = TRUE), 0.5, 2, 2, 3),
  event = c(rbinom(36, 1, 0.6), 0, 1, 1, 0),
  stratum = c(rep(0:1, 18), 1, 0, 0, 2),
  score = c(sample(0:4, 36, replace = TRUE), 4, 2, 2, 1))
toy$stratum[toy$stratum == 2] <- 2
toy$event[toy$stratum == 2] <- 0
toy$time[toy$stratum == 1 & toy$time < 2] <- 2
toy$time[37] <- 1 # censored in stratum 1 before its first event time
tcc <- function(strata) {
  r <- if (strata) concordance(Surv(time, event) ~ score + strata(stratum), data = toy, reverse = TRUE)
  else concordance(Surv(time, event) ~ score, data = toy, reverse = TRUE)
  k <- if (is.matrix(r$count)) colSums(r$count) else r$count
  obj(concordance = num(r$concordance), variance = num(r$var), concordant = num(k[["concordant"]]),
    discordant = num(k[["discordant"]]), tiedScore = num(k[["tied.x"]]), tiedTime = num(k[["tied.y"]]),
    tiedBoth = num(k[["tied.xy"]]))
}

writeLines(obj(
  toy = obj(time = arr(toy$time), event = arr(toy$event), stratum = arr(toy$stratum), score = arr(toy$score),
    pooled = tcc(FALSE), stratified = tcc(TRUE)),
  timeResolution = num(TRES),
  scoreResolution = num(SRES),
  formula = "\"Surv(months, dead) ~ age + sex + factor(stage) + dose_gy\"",
  terms = str(names(beta)),
  coefficients = arr(beta),
  pooled = cc(d, q),
  stratifiedByCentre = cc(d, q, strata = TRUE),
  perCentre = paste0("{", paste0("\"", centres, "\":", perCentre, collapse = ","), "}"),
  scoreColumn = cc(d1, qs)
), "packages/stats/fixtures/survival-validation.json")
