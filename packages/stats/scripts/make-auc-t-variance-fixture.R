# Reference numbers for the standard error of validate-survival's time-dependent AUC (issue #16):
# timeROC's `iid = TRUE` computation (Blanche, Dartigues & Jacqmin-Gadda, Stat Med 2013), written out here
# because timeROC is not in Debian: its Compute.iid.KM (the censoring Kaplan–Meier's martingale
# representation) and compute_iid_decomposition_survival (the iid representation of AUC*(t), cases
# T < t weighted 1 / G(T_i-), controls T > t), then se = sd(iid) / sqrt(n), as timeROC 0.4 computes them.
#
# Applied to
#  (a) the coarsened data set that validate-survival's pooled partial describes: each event at its merged
#      event-time point t_k, each record censored in [t_k, t_k+1) at one time just after t_k (after the
#      deaths there, before t_k+1; those censored before the first event time just after 0), its score
#      on the score grid. This is the convention of the point estimate: its censoring Kaplan–Meier takes
#      the censorings of an interval in one step after the deaths at t_k (the factors telescope to
#      (at risk at t_k+1) / (at risk after the deaths at t_k)). The censorings of one interval share one
#      time, so they are tied; Compute.iid.KM steps the censoring hazard row by row (1/(n:1)), which on
#      tied rows depends on their order, so here tied times are one step (`iidKMGrouped`: hazard c/Y at a
#      time, every record at risk there sharing it), which equals Compute.iid.KM where no two times tie
#      (checked below on the untied data). The AUC is evaluated at a time between the last event point at
#      or before the time asked and the next one (cases: events up to t_last; controls: records followed to
#      t_next), as fedhub's `timeUsed`.
#  (a') the same data with timeROC's own row-by-row stepping (rows in time order, ties in data order): how
#      much the order of tied rows moves the s.e.;
#  (b) the exact, uncoarsened data (months, the unrounded linear predictor) with timeROC's own
#      Compute.iid.KM, at the times asked: the reference the coarsened s.e. is compared with (tolerance).
# G(s-) (the cases' weights) is the censoring Kaplan–Meier just before s with deaths before censorings at
# tied times (survival's convention, as make-validation-intervals-fixture.R); timeROC takes it from
# pec::ipcw (prodlim, reverse = TRUE), which is not installed here.
# Data, coarsening, score grid and frozen model as make-survival-validation-fixture.R.
# Run from the repository root:  Rscript packages/stats/scripts/make-auc-t-variance-fixture.R
# Needs: r-base-core, r-cran-survival (Debian). JSON is written by hand (%.17g).
suppressPackageStartupMessages(library(survival))
invisible(Sys.setlocale("LC_COLLATE", "C"))
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
obj <- function(...) {
  x <- list(...)
  paste0("{", paste0("\"", names(x), "\":", unlist(x), collapse = ","), "}")
}

# ---- the censoring Kaplan–Meier (deaths before censorings at tied times) ----
# G(s-): product over censoring times u < s of (1 - c(u) / #{T > u or (T = u, censored)})
Gminus <- function(time, event, s) {
  ct <- sort(unique(time[event == 0 & time < s]))
  g <- 1
  for (c in ct) g <- g * (1 - sum(time == c & event == 0) / sum(time > c | (time == c & event == 0)))
  g
}
Gat <- function(time, event, s) Gminus(time, event, s + 1e-9 * max(1, abs(s)))

# ---- timeROC's Compute.iid.KM, row by row (T sorted; returns [row j, record k] = int_0^T_j dM_C,k / y) ----
iidKMRowwise <- function(T, status) {
  n <- length(T)
  cens <- as.numeric(status == 0)
  lambdaC <- cens / (n:1)
  LambdaC <- cumsum(lambdaC)
  hatMC <- matrix(NA_real_, n, n)
  for (i in 1:n) hatMC[, i] <- cens[i] * as.numeric(T[i] <= T) - c(LambdaC[seq_len(i)], rep(LambdaC[i], n - i))
  dhatMC <- rbind(hatMC[1, ], hatMC[-1, ] - hatMC[-n, ])
  dhatMCdivST <- dhatMC / c(1, 1 - (1:(n - 1)) / n)
  apply(dhatMCdivST, 2, cumsum)
}

# ---- the same with tied times as one step: at a time u with c censorings and Y = #{T >= u} at risk,
# dM_k(u) = [T_k = u, censored] - [T_k >= u] c / Y, divided by y(u) = Y / n, summed over u <= T_j ----
iidKMGrouped <- function(T, status) {
  n <- length(T)
  U <- sort(unique(T))
  Y <- vapply(U, function(u) sum(T >= u), 0)
  cc <- vapply(U, function(u) sum(T == u & status == 0), 0)
  dM <- matrix(0, length(U), n)
  for (k in 1:n) {
    atRisk <- as.numeric(T[k] >= U)
    dM[, k] <- (as.numeric(U == T[k]) * (status[k] == 0) - atRisk * cc / Y) / (Y / n)
  }
  cum <- apply(dM, 2, cumsum)
  cum[match(T, U), , drop = FALSE]
}

# ---- timeROC's AUC*(t) and its iid representation (compute_iid_decomposition_survival) ----
aucIid <- function(T, delta, marker, t, iidKM) {
  o <- order(T)
  T <- T[o]
  delta <- delta[o]
  marker <- marker[o]
  n <- length(T)
  Gsub <- vapply(T, function(s) Gminus(T, delta, s), 0) # IPCW.subjectTimes (subjectTimesLag = 1)
  Wall <- 1 / (Gsub * n)
  cases <- T < t & delta == 1
  ctrl <- T > t
  Wc <- 1 / (Gat(T, delta, t) * n) # IPCW.times: common to the controls, cancels
  F01 <- sum(Wall[cases])
  St <- sum(ctrl) * Wc
  # Mathtij1, transposed: cases in rows, controls in columns
  h <- outer(marker[cases], marker[ctrl], function(a, b) (a > b) + 0.5 * (a == b)) *
    (Wall[cases] * n) * (Wc * n)
  ht <- sum(h) / n^2
  M <- iidKM(T, delta) # [row j, record k]
  vectDit <- as.numeric(T <= t & delta == 1) * Wall * n
  colS <- numeric(n)
  colS[cases] <- rowSums(h)
  rowS <- numeric(n)
  rowS[ctrl] <- colSums(h)
  vectTisupt <- as.numeric(T > t) / (sum(T > t) / n)
  # sum_ij_a_k_fixe for every k at once
  A <- (colSums(colS[cases] * (1 + M[cases, , drop = FALSE])) / n -
    ht * (sum(vectTisupt) + (colSums(vectDit * (1 + M)) - n * F01) / F01)) / (F01 * St)
  B <- (rowS - n * ht) / (F01 * St)
  C <- (colS - n * ht * (vectTisupt + (vectDit - F01) / F01)) / (F01 * St)
  iid <- (A + B + C) / n
  list(auc = ht / (F01 * St), se = sd(iid) / sqrt(n), meanIid = mean(iid))
}

# the coarsened data set of the partial (see (a)): events at their point, censorings just after the last
# event point at or before them (just after 0 before the first), evaluated between t_last and t_next
coarsened <- function(time, event, score, t, delta = 1 / 3) {
  et <- sort(unique(time[event == 1]))
  j <- findInterval(time, et) # index of the last event point <= time (0: before the first)
  start <- ifelse(j == 0, 0, et[pmax(j, 1)])
  placed <- ifelse(event == 1, time, start + delta)
  nxt <- min(et[et > t])
  list(T = placed, delta = event, marker = score, at = nxt - delta / 2, used = nxt)
}

# AUC(t) as make-validation-intervals-fixture.R writes it (cases T <= t, controls T > t)
tdAuc <- function(time, event, score, t) {
  case <- which(time <= t & event == 1)
  ctrl <- which(time > t)
  w <- vapply(time[case], function(s) 1 / Gminus(time, event, s), 0)
  m <- outer(score[case], score[ctrl], function(a, b) (a > b) + 0.5 * (a == b))
  sum(w * rowSums(m)) / (sum(w) * length(ctrl))
}

# ---- the cohort, coarsened as make-survival-validation-fixture.R ----
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
q <- jsRound(lp / SRES)
times <- c(12, 36, 60)

# Compute.iid.KM grouped equals row by row where no time ties (the cohort's months, ties broken)
set.seed(16)
jit <- d$months + runif(nrow(d), 0, 1e-4)
g1 <- aucIid(jit, d$dead, lp, 36, iidKMGrouped)
g2 <- aucIid(jit, d$dead, lp, 36, iidKMRowwise)
stopifnot(abs(g1$se - g2$se) / g2$se < 1e-10, abs(g1$auc - g2$auc) < 1e-14)

cohortAt <- function(t) {
  cd <- coarsened(d$tc, d$dead, q, t, delta = TRES / 3)
  a <- aucIid(cd$T, cd$delta, cd$marker, cd$at, iidKMGrouped)
  r <- aucIid(cd$T, cd$delta, cd$marker, cd$at, iidKMRowwise)
  e <- aucIid(d$months, d$dead, lp, t, iidKMRowwise)
  eg <- aucIid(d$months, d$dead, lp, t, iidKMGrouped)
  # the AUC of the reconstruction is the existing reference's AUC at the time used
  stopifnot(abs(a$auc - tdAuc(d$tc, d$dead, q, cd$used - TRES)) < 1e-12)
  c(time = t, used = cd$used - TRES, auc = a$auc, se = a$se, meanIid = a$meanIid, seRowOrder = r$se,
    exactAuc = e$auc, exactSe = e$se, exactSeGroupedTies = eg$se)
}
cohort <- sapply(times, cohortAt)
print(t(cohort))
cat("relative difference of the s.e., coarsened vs exact timeROC:",
  format((cohort["se", ] - cohort["exactSe", ]) / cohort["exactSe", ], digits = 3), "\n")
cat("relative difference of the s.e., tie order (row by row vs grouped) on the coarsened set:",
  format((cohort["seRowOrder", ] - cohort["se", ]) / cohort["se", ], digits = 3), "\n")

# ---- the toy set of make-validation-intervals-fixture.R (censorings before the first event time, ties on
# time, score and both; event times 2..6 in steps of 1) ----
set.seed(7)
toy <- data.frame(
  time = c(sample(1:6, 36, replace = TRUE), 0.5, 2, 2, 3),
  event = c(rbinom(36, 1, 0.6), 0, 1, 1, 0),
  stratum = c(rep(0:1, 18), 1, 0, 0, 2),
  score = c(sample(0:4, 36, replace = TRUE), 4, 2, 2, 1))
toy$event[toy$stratum == 2] <- 0
toy$time[toy$stratum == 1 & toy$time < 2] <- 2
toy$time[37] <- 1
toyTimes <- c(2, 3, 4, 5)
toyAt <- function(t) {
  cd <- coarsened(toy$time, toy$event, toy$score, t, delta = 1 / 3)
  a <- aucIid(cd$T, cd$delta, cd$marker, cd$at, iidKMGrouped)
  stopifnot(abs(a$auc - tdAuc(toy$time, toy$event, toy$score, t)) < 1e-12)
  c(auc = a$auc, se = a$se)
}
toyRef <- sapply(toyTimes, toyAt)

writeLines(obj(
  timeResolution = num(TRES), scoreResolution = num(SRES),
  terms = paste0("[", paste0("\"", names(beta), "\"", collapse = ","), "]"), coefficients = arr(beta),
  cohort = obj(times = arr(times), used = arr(cohort["used", ]), auc = arr(cohort["auc", ]),
    se = arr(cohort["se", ]), seRowOrder = arr(cohort["seRowOrder", ]),
    exactAuc = arr(cohort["exactAuc", ]), exactSe = arr(cohort["exactSe", ]),
    exactSeGroupedTies = arr(cohort["exactSeGroupedTies", ])),
  toy = obj(time = arr(toy$time), event = arr(toy$event), score = arr(toy$score), times = arr(toyTimes),
    auc = arr(toyRef["auc", ]), se = arr(toyRef["se", ]))
), "packages/stats/fixtures/auc-t-variance.json")
