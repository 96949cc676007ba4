# Reference numbers for issue #16's validation additions:
#  - validate: Wald 95% intervals of the calibration slope (glm(y ~ qlogis(p), binomial)) and of
#    calibration-in-the-large (glm(y ~ 1, offset = qlogis(p), binomial)), R's confint.default;
#  - validate-survival: Uno's C, survival::concordance(..., timewt = "n/G2", reverse = TRUE), with its
#    infinitesimal-jackknife variance;
#  - validate-survival: cumulative/dynamic time-dependent AUC with IPCW (Blanche, Dartigues & Jacqmin-Gadda,
#    Stat Med 2013; timeROC's "marginal" weights). timeROC is not installable on this machine's R (4.2), so
#    the estimator is written out here from the paper's formula:
#      AUC(t) = sum_i sum_j [T_i <= t, event_i] / G(T_i-) * [T_j > t] * ([M_i > M_j] + [M_i = M_j] / 2)
#               / ( sum_i [T_i <= t, event_i] / G(T_i-) * sum_j [T_j > t] )
#    (the controls' weight 1 / G(t) is common to all and cancels), G the Kaplan–Meier estimate of the
#    censoring distribution, deaths before censorings at tied times (survival's convention).
# Times coarsened and scores put on the grid exactly as make-survival-validation-fixture.R does.
# Run from the repository root:  Rscript packages/stats/scripts/make-validation-intervals-fixture.R
# Needs: r-base-core, r-cran-survival (Debian). JSON is written by hand (%.17g).
suppressPackageStartupMessages(library(survival))
invisible(Sys.setlocale("LC_COLLATE", "C"))
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
obj <- function(...) {
  x <- list(...)
  paste0("{", paste0("\"", names(x), "\":", unlist(x), collapse = ","), "}")
}
d <- read.csv("packages/stats/fixtures/cohort.csv", stringsAsFactors = FALSE)

# ---- calibration intervals (Wald, confint.default), at R's default glm.control ----
lp <- qlogis(d$score)
slopeFit <- glm(toxicity ~ lp, family = binomial(), data = d)
largeFit <- glm(toxicity ~ 1, offset = lp, family = binomial(), data = d)
cs <- confint.default(slopeFit)
cl <- confint.default(largeFit)
calibration <- obj(slope = num(coef(slopeFit)[[2]]), slopeLower = num(cs[2, 1]), slopeUpper = num(cs[2, 2]),
  large = num(coef(largeFit)[[1]]), largeLower = num(cl[1, 1]), largeUpper = num(cl[1, 2]))

# ---- survival: the same coarsening and score grid as make-survival-validation-fixture.R ----
TRES <- 3
SRES <- 0.001
d$tc <- ceiling(d$months / TRES) * TRES
jsRound <- function(x) floor(x + 0.5)
fit <- coxph(Surv(months, dead) ~ age + sex + factor(stage) + dose_gy, data = d, ties = "efron")
beta <- coef(fit)
X <- model.matrix(fit)
lpc <- rep(0, nrow(d))
for (j in seq_along(beta)) lpc <- lpc + X[, j] * beta[[j]]
q <- jsRound(lpc / SRES)

uno <- function(time, event, score) {
  r <- concordance(Surv(time, event) ~ score, timewt = "n/G2", reverse = TRUE)
  h <- concordance(Surv(time, event) ~ score, reverse = TRUE)
  obj(concordance = num(r$concordance), variance = num(r$var), harrell = num(h$concordance))
}

# G(s-): censoring Kaplan–Meier just before s, deaths before censorings at tied times
Gminus <- function(time, event, s) {
  ct <- sort(unique(time[event == 0 & time < s]))
  g <- 1
  for (c in ct) g <- g * (1 - sum(time == c & event == 0) / sum(time > c | (time == c & event == 0)))
  g
}
tdAuc <- function(time, event, score, t) {
  case <- which(time <= t & event == 1)
  ctrl <- which(time > t)
  if (length(case) == 0 || length(ctrl) == 0) return(NA)
  w <- vapply(time[case], function(s) 1 / Gminus(time, event, s), 0)
  m <- outer(score[case], score[ctrl], function(a, b) (a > b) + 0.5 * (a == b))
  sum(w * rowSums(m)) / (sum(w) * length(ctrl))
}
times <- c(12, 36, 60)
etimes <- sort(unique(d$tc[d$dead == 1]))
# the time at which fedhub's value is the exact AUC: the last coarsened time before the first event time after t
used <- vapply(times, function(t) min(etimes[etimes > t]) - TRES, 0)
auc <- obj(times = arr(times), used = arr(used),
  aucAtTime = arr(vapply(times, function(t) tdAuc(d$tc, d$dead, q, t), 0)),
  aucAtUsed = arr(vapply(used, function(t) tdAuc(d$tc, d$dead, q, t), 0)))

# the toy set of make-survival-validation-fixture.R, unstratified (censorings before the first event time,
# ties on time, score and both)
set.seed(7)
toy <- data.frame(
  time = c(sample(1:6, 36, replace = TRUE), 0.5, 2, 2, 3),
  event = c(rbinom(36, 1, 0.6), 0, 1, 1, 0),
  stratum = c(rep(0:1, 18), 1, 0, 0, 2),
  score = c(sample(0:4, 36, replace = TRUE), 4, 2, 2, 1))
toy$event[toy$stratum == 2] <- 0
toy$time[toy$stratum == 1 & toy$time < 2] <- 2
toy$time[37] <- 1
toyTimes <- c(2, 3, 4)

writeLines(obj(
  calibration = calibration,
  timeResolution = num(TRES), scoreResolution = num(SRES),
  terms = paste0("[", paste0("\"", names(beta), "\"", collapse = ","), "]"), coefficients = arr(beta),
  unoPooled = uno(d$tc, d$dead, q),
  timeDependentAuc = auc,
  toy = obj(time = arr(toy$time), event = arr(toy$event), score = arr(toy$score), uno = uno(toy$time, toy$event, toy$score),
    aucTimes = arr(toyTimes), auc = arr(vapply(toyTimes, function(t) tdAuc(toy$time, toy$event, toy$score, t), 0)))
), "packages/stats/fixtures/validation-intervals.json")
