# Reference numbers for issue #16's survival remainder:
#  - validate-survival: Uno's C with strata, survival::concordance(..., strata, timewt = "n/G2",
#    reverse = TRUE): pairs within strata, the censoring weights G per stratum from that stratum's own
#    Kaplan-Meier (survival:::concordancefit calls docount per stratum, and docount falls back to timewt
#    "n" in a stratum with fewer than two events), counts summed; with its infinitesimal-jackknife variance.
#    On the toy set (strata with none, one and several events; censorings before a stratum's first event)
#    and on the cohort, by centre (each stratum within one node) and by sex (strata across nodes).
#  - coxph: cluster-robust standard errors with a patient id clustering repeated rows
#    (coxph(..., cluster = patient_id)), on a derived file of 1 to 3 rows per patient (patients.csv, written
#    here): each cohort patient's follow-up split at a per-patient landmark into rows with their own age.
# Times coarsened and scores put on the grid exactly as make-survival-validation-fixture.R does.
# Run from the repository root:  Rscript packages/stats/scripts/make-survival-strata-fixture.R
# Needs: r-base-core, r-cran-survival (Debian). JSON is written by hand (%.17g).
suppressPackageStartupMessages(library(survival))
invisible(Sys.setlocale("LC_COLLATE", "C"))
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
str <- function(x) paste0("[", paste0("\"", x, "\"", collapse = ","), "]")
obj <- function(...) {
  x <- list(...)
  paste0("{", paste0("\"", names(x), "\":", unlist(x), collapse = ","), "}")
}
d <- read.csv("packages/stats/fixtures/cohort.csv", stringsAsFactors = FALSE)
TRES <- 3
SRES <- 0.001
d$tc <- ceiling(d$months / TRES) * TRES
jsRound <- function(x) floor(x + 0.5)
fit <- coxph(Surv(months, dead) ~ age + sex + factor(stage) + dose_gy, data = d, ties = "efron")
beta <- coef(fit)
X <- model.matrix(fit)
lp <- rep(0, nrow(d))
for (j in seq_along(beta)) lp <- lp + X[, j] * beta[[j]]
d$q <- jsRound(lp / SRES)

cc <- function(dd, f, timewt) {
  r <- concordance(f, data = dd, timewt = timewt, reverse = TRUE)
  k <- if (is.matrix(r$count)) colSums(r$count) else r$count
  obj(concordance = num(r$concordance), variance = num(r$var), concordant = num(k[["concordant"]]),
    discordant = num(k[["discordant"]]), tiedScore = num(k[["tied.x"]]))
}

# the toy set of make-survival-validation-fixture.R, with a fourth stratum holding exactly one event
set.seed(7)
toy <- data.frame(
  time = c(sample(1:6, 36, replace = TRUE), 0.5, 2, 2, 3),
  event = c(rbinom(36, 1, 0.6), 0, 1, 1, 0),
  stratum = c(rep(0:1, 18), 1, 0, 0, 2),
  score = c(sample(0:4, 36, replace = TRUE), 4, 2, 2, 1))
toy$event[toy$stratum == 2] <- 0
toy$time[toy$stratum == 1 & toy$time < 2] <- 2
toy$time[37] <- 1
toy <- rbind(toy, data.frame(time = c(1, 2, 4, 5, 5), event = c(0, 0, 1, 0, 0), stratum = 3,
  score = c(3, 0, 2, 1, 4)))

# ---- a patient file with repeated rows: each patient's follow-up split at landmarks ----
set.seed(16)
rows <- list()
for (i in seq_len(nrow(d))) {
  p <- d[i, ]
  k <- sample(1:3, 1)
  cuts <- if (k == 1) numeric(0) else sort(round(runif(k - 1, 0.1, 0.9) * p$months, 2))
  cuts <- unique(cuts[cuts > 0 & cuts < p$months])
  ends <- c(cuts, p$months)
  starts <- c(0, cuts)
  # each row: the time since its own start, an event only on the last row; age at the row's start
  for (j in seq_along(ends)) rows[[length(rows) + 1]] <- data.frame(centre = p$centre,
    patient_id = 1000 * match(p$centre, c("A", "B", "C")) + i, age = round(p$age + starts[j] / 12, 3),
    sex = p$sex, months = round(ends[j] - starts[j], 2), dead = if (j == length(ends)) p$dead else 0)
}
pt <- do.call(rbind, rows)
pt <- pt[pt$months > 0, ]
write.csv(pt, "packages/stats/fixtures/patients.csv", row.names = FALSE, quote = FALSE)
pt$tc <- ceiling(pt$months / 1) * 1
clusterFit <- function(ties) {
  f <- coxph(Surv(tc, dead) ~ age + sex, data = pt, ties = ties, cluster = patient_id)
  obj(ties = paste0("\"", ties, "\""), names = str(names(coef(f))), coef = arr(coef(f)),
    se = arr(sqrt(diag(f$naive.var))), robustSe = arr(sqrt(diag(f$var))), robustScore = num(f$rscore))
}

writeLines(obj(
  timeResolution = num(TRES), scoreResolution = num(SRES),
  terms = str(names(beta)), coefficients = arr(beta),
  toy = obj(time = arr(toy$time), event = arr(toy$event), stratum = arr(toy$stratum), score = arr(toy$score),
    uno = cc(toy, Surv(time, event) ~ score + strata(stratum), "n/G2"),
    harrell = cc(toy, Surv(time, event) ~ score + strata(stratum), "n")),
  unoByCentre = cc(d, Surv(tc, dead) ~ q + strata(centre), "n/G2"),
  harrellByCentre = cc(d, Surv(tc, dead) ~ q + strata(centre), "n"),
  unoBySex = cc(d, Surv(tc, dead) ~ q + strata(sex), "n/G2"),
  patients = obj(rows = num(nrow(pt)), patients = num(length(unique(pt$patient_id))),
    efron = clusterFit("efron"), breslow = clusterFit("breslow"))
), "packages/stats/fixtures/survival-strata.json")
