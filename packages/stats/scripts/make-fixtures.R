# Generates the synthetic cohort (3 centres) and R's reference numbers for @fedhub/stats tests.
# Run from the repository root:  Rscript packages/stats/scripts/make-fixtures.R
# Needs: r-base-core, r-cran-survival, r-cran-proc (Debian). JSON is written by hand (%.17g).
suppressPackageStartupMessages({ library(survival); library(pROC) })
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "packages/stats/fixtures"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
set.seed(20261129)

# ---- JSON writer ------------------------------------------------------------------------------
num <- function(x) ifelse(is.na(x) | is.infinite(x),
  ifelse(is.na(x), "null", ifelse(x > 0, "\"Infinity\"", "\"-Infinity\"")), sprintf("%.17g", x))
toj <- function(x) {
  if (is.list(x)) {
    if (!is.null(names(x))) return(paste0("{", paste0("\"", names(x), "\":", vapply(x, toj, ""), collapse = ","), "}"))
    return(paste0("[", paste(vapply(x, toj, ""), collapse = ","), "]"))
  }
  if (inherits(x, "AsIs") || length(x) != 1) {
    v <- if (is.character(x)) paste0("\"", x, "\"") else if (is.logical(x)) tolower(as.character(x)) else num(as.numeric(x))
    return(paste0("[", paste(v, collapse = ","), "]"))
  }
  if (is.character(x)) return(paste0("\"", x, "\""))
  if (is.logical(x)) return(tolower(as.character(x)))
  num(as.numeric(x))
}
wj <- function(x, file) writeLines(toj(x), file.path(out, file))
arr <- function(x) I(as.vector(x))

# ---- synthetic cohort ------------------------------------------------------------------------
gen <- function(centre, n, ageMean, pM, stageP, doseMean, base) {
  age <- round(rnorm(n, ageMean, 9), 1)
  sex <- ifelse(runif(n) < pM, "M", "F")
  stage <- sample(c("I", "II", "III", "IV"), n, replace = TRUE, prob = stageP)
  dose_gy <- round(rnorm(n, doseMean, 6), 2)
  sn <- match(stage, c("I", "II", "III", "IV")) - 1
  lp <- base - 4 + 0.03 * (age - 60) + 0.4 * (sex == "M") + 0.3 * sn + 0.05 * (dose_gy - 60)
  toxicity <- rbinom(n, 1, plogis(lp + 2))
  exposure <- round(runif(n, 0.5, 5), 2)
  events <- rpois(n, exposure * exp(-1 + 0.01 * (age - 60) + 0.2 * sn))
  haz <- 0.01 * exp(0.02 * (age - 60) + 0.3 * (sex == "M") + 0.5 * sn - 0.01 * (dose_gy - 60))
  tt <- rexp(n, haz); cens <- runif(n, 6, 72)
  months <- round(pmin(tt, cens), 2); dead <- as.integer(tt <= cens)
  w <- round(runif(n, 0.5, 2), 3)
  score <- round(plogis(-1.2 + 0.025 * (age - 60) + 0.35 * (sex == "M") + 0.25 * sn + 0.04 * (dose_gy - 60)), 3)
  data.frame(centre, age, sex, stage, dose_gy, toxicity, events, exposure, months, dead, w, score,
    stringsAsFactors = FALSE)
}
d <- rbind(
  gen("A", 600, 62, 0.6, c(0.3, 0.3, 0.25, 0.15), 60, 0.0),
  gen("B", 700, 66, 0.5, c(0.2, 0.3, 0.3, 0.2), 64, 0.3),
  gen("C", 500, 58, 0.7, c(0.4, 0.35, 0.25, 0), 56, -0.2)) # centre C has no stage IV
write.csv(d, file.path(out, "cohort.csv"), row.names = FALSE, quote = FALSE)
d$stage_f <- factor(d$stage)
RES <- 1 # months; coarsening tc = ceiling(t / RES) * RES
d$tc <- ceiling(d$months / RES) * RES

# ---- distributions ---------------------------------------------------------------------------
xs <- c(-38, -20, -8.5, -5, -3, -1.96, -1, -0.3, 0, 0.25, 1, 1.644853626951, 2.5, 4, 7, 9)
ps <- c(1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.999, 1 - 1e-10)
dfs <- c(0.5, 1, 2, 3, 7.5, 30, 150, 1e4)
ts <- c(-50, -6, -2.3, -1, -0.1, 0, 0.4, 1.5, 3, 12, 100)
cs <- c(1e-6, 0.01, 0.5, 1, 3.84, 10, 50, 200, 800)
cdfs <- c(0.5, 1, 2, 3, 7, 20, 100, 500)
grid <- function(a, b) expand.grid(x = a, df = b)
# R's qt is itself inexact at p = 1 - 1e-10 with df < 1, so that p is left out of the qt grid.
tg <- grid(ts, dfs); qg <- grid(ps[ps > 1e-200 & ps < 0.9999], dfs); cg <- grid(cs, cdfs)
lg <- c(1e-8, 0.1, 0.5, 1, 1.5, 2, 3.7, 10, 100.5, 1e4, 1e7, -0.5, -2.3)
wj(list(
  pnorm = list(x = arr(xs), p = arr(pnorm(xs)), q = arr(pnorm(xs, lower.tail = FALSE))),
  qnorm = list(p = arr(ps), x = arr(qnorm(ps))),
  pt = list(t = arr(tg$x), df = arr(tg$df), p = arr(pt(tg$x, tg$df)), q = arr(pt(tg$x, tg$df, lower.tail = FALSE))),
  qt = list(p = arr(qg$x), df = arr(qg$df), t = arr(qt(qg$x, qg$df))),
  pchisq = list(x = arr(cg$x), df = arr(cg$df), p = arr(pchisq(cg$x, cg$df)), q = arr(pchisq(cg$x, cg$df, lower.tail = FALSE))),
  lgamma = list(x = arr(lg), y = arr(lgamma(lg)))
), "distributions.json")

# ---- linear algebra -------------------------------------------------------------------------
Z <- matrix(rnorm(36), 6); A <- crossprod(Z) + diag(6); b <- rnorm(6)
wj(list(p = 6, a = arr(t(A)), b = arr(b), chol = arr(chol(A)), solve = arr(solve(A, b)), inverse = arr(t(solve(A))),
  notPd = arr(t(matrix(c(1, 2, 2, 1), 2)))), "linalg.json")

# ---- model.matrix ----------------------------------------------------------------------------
mm <- function(f, rows = 1:40) {
  m <- model.matrix(f, d)
  list(formula = paste(deparse(f), collapse = ""), columns = arr(colnames(m)), rows = arr(rows - 1),
    matrix = arr(t(m[rows, , drop = FALSE])))
}
mmCases <- list(
  mm(toxicity ~ age + sex + factor(stage) + dose_gy + age:sex),
  mm(toxicity ~ sex * factor(stage) + dose_gy:age + factor(stage):dose_gy),
  mm(toxicity ~ 0 + sex + age + sex:age),
  mm(toxicity ~ age - 1 + factor(stage)),
  mm(toxicity ~ age + age:sex),
  mm(events ~ age + log(exposure) + factor(stage):sex + offset(log(exposure)))
)
wj(list(cases = mmCases), "model-matrix.json")

# ---- GLM -------------------------------------------------------------------------------------
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
glmRef <- function(name, f, family, weights = NULL) {
  args <- list(formula = f, family = family, data = d)
  if (!is.null(weights)) args$weights <- d[[weights]]
  def <- do.call(glm, args)
  fit0 <- do.call(glm, c(args, list(control = ctl)))
  fit <- do.call(glm, c(args, list(control = ctl, start = coef(fit0))))
  s <- summary(fit); cf <- s$coefficients; ci <- confint.default(fit)
  list(name = name, formula = paste(deparse(f), collapse = ""), family = family$family, link = family$link,
    weights = if (is.null(weights)) "" else weights,
    names = arr(rownames(cf)), estimate = arr(cf[, 1]), se = arr(cf[, 2]), stat = arr(cf[, 3]), p = arr(cf[, 4]),
    ciLower = arr(ci[, 1]), ciUpper = arr(ci[, 2]), deviance = fit$deviance, nullDeviance = fit$null.deviance,
    aic = fit$aic, dfResidual = fit$df.residual, dfNull = fit$df.null, dispersion = s$dispersion,
    iterDefault = def$iter, devianceDefault = def$deviance)
}
glms <- list(
  glmRef("binomial", toxicity ~ age + sex + factor(stage) + dose_gy + age:sex, binomial()),
  glmRef("poisson", events ~ age + sex + factor(stage) + offset(log(exposure)), poisson()),
  glmRef("gaussian", dose_gy ~ age + sex + factor(stage), gaussian(), weights = "w"),
  glmRef("binomialWeighted", toxicity ~ age + sex + dose_gy, binomial(), weights = "w"),
  glmRef("poissonNoOffset", events ~ age + factor(stage), poisson())
)
wj(list(fits = glms), "glm.json")

# ---- Cox -------------------------------------------------------------------------------------
coxRef <- function(name, f, ties) {
  fit <- coxph(f, data = d, ties = ties)
  s <- summary(fit); cc <- concordance(fit)
  list(name = name, formula = paste(deparse(f), collapse = ""), ties = ties, names = arr(names(coef(fit))),
    coef = arr(coef(fit)), se = arr(sqrt(diag(vcov(fit)))), z = arr(s$coefficients[, "z"]),
    p = arr(s$coefficients[, "Pr(>|z|)"]), hrLower = arr(s$conf.int[, 3]), hrUpper = arr(s$conf.int[, 4]),
    # summary() rounds the Wald statistic to 2 decimals, so take the unrounded fit components.
    loglik = arr(fit$loglik), lrt = 2 * diff(fit$loglik), wald = fit$wald.test, score = fit$score,
    df = length(coef(fit)), lrtP = pchisq(2 * diff(fit$loglik), length(coef(fit)), lower.tail = FALSE),
    waldP = pchisq(fit$wald.test, length(coef(fit)), lower.tail = FALSE),
    scoreP = pchisq(fit$score, length(coef(fit)), lower.tail = FALSE),
    iter = fit$iter, concordance = cc$concordance, concordanceCount = arr(cc$count[1:5]))
}
coxs <- list(
  coxRef("efron", Surv(tc, dead) ~ age + sex + factor(stage) + dose_gy, "efron"),
  coxRef("breslow", Surv(tc, dead) ~ age + sex + factor(stage) + dose_gy, "breslow"),
  coxRef("efronStrata", Surv(tc, dead) ~ age + sex + dose_gy + strata(centre), "efron")
)
# Harrell's C of a frozen score on its resolution grid (higher score = higher risk).
cFrozen <- concordance(Surv(tc, dead) ~ score, data = d, reverse = TRUE)
wj(list(resolution = RES, fits = coxs,
  frozenScoreC = list(concordance = cFrozen$concordance, count = arr(cFrozen$count[1:5]))), "cox.json")

# ---- Kaplan-Meier and log-rank ---------------------------------------------------------------
kmRef <- function(fit) {
  st <- if (is.null(fit$strata)) rep("all", length(fit$time)) else rep(names(fit$strata), fit$strata)
  tb <- summary(fit)$table
  if (is.null(dim(tb))) tb <- t(as.matrix(tb))
  list(strata = arr(st), time = arr(fit$time), nRisk = arr(fit$n.risk), nEvent = arr(fit$n.event),
    nCensor = arr(fit$n.censor), surv = arr(fit$surv), stdErrLogS = arr(fit$std.err), lower = arr(fit$lower),
    upper = arr(fit$upper), median = arr(tb[, "median"]), medianLower = arr(tb[, "0.95LCL"]),
    medianUpper = arr(tb[, "0.95UCL"]))
}
sd1 <- survdiff(Surv(tc, dead) ~ stage, data = d)
sd2 <- survdiff(Surv(tc, dead) ~ sex + strata(centre), data = d)
wj(list(
  overall = kmRef(survfit(Surv(tc, dead) ~ 1, data = d)),
  bySex = kmRef(survfit(Surv(tc, dead) ~ sex, data = d)),
  logrankStage = list(chisq = sd1$chisq, df = length(sd1$n) - 1, p = pchisq(sd1$chisq, length(sd1$n) - 1, lower.tail = FALSE),
    observed = arr(sd1$obs), expected = arr(sd1$exp)),
  logrankSexStrataCentre = list(chisq = sd2$chisq, observed = arr(rowSums(as.matrix(sd2$obs))),
    expected = arr(rowSums(as.matrix(sd2$exp))))
), "km.json")

# ---- validation of a frozen score -------------------------------------------------------------
r <- roc(d$toxicity, d$score, levels = c(0, 1), direction = "<", quiet = TRUE)
ciA <- ci.auc(r, method = "delong")
# direct O(n^2) check of the AUC with ties counted 1/2
pos <- d$score[d$toxicity == 1]; neg <- d$score[d$toxicity == 0]
aucDirect <- mean(outer(pos, neg, function(a, b) (a > b) + 0.5 * (a == b)))
lp <- qlogis(d$score)
slopeFit <- glm(toxicity ~ lp, family = binomial(), data = d, control = ctl)
slopeFit <- glm(toxicity ~ lp, family = binomial(), data = d, control = ctl, start = coef(slopeFit))
interceptFit <- glm(toxicity ~ 1, offset = lp, family = binomial(), data = d, control = ctl)
interceptFit <- glm(toxicity ~ 1, offset = lp, family = binomial(), data = d, control = ctl, start = coef(interceptFit))
brier <- mean((d$score - d$toxicity)^2)
brks <- unique(quantile(d$score, probs = 0:10 / 10, type = 7))
grp <- cut(d$score, breaks = brks, include.lowest = TRUE)
O <- tapply(d$toxicity, grp, sum); E <- tapply(d$score, grp, sum); N <- tapply(d$score, grp, length)
hl <- sum((O - E)^2 / (E * (1 - E / N)))
g <- length(N)
wj(list(resolution = 0.001, auc = as.numeric(r$auc), aucDirect = aucDirect, delongVar = var(r, method = "delong"),
  ciLower = ciA[1], ciUpper = ciA[3],
  calibrationSlope = coef(slopeFit)[[2]], calibrationSlopeIntercept = coef(slopeFit)[[1]],
  calibrationSlopeSe = summary(slopeFit)$coefficients[2, 2],
  calibrationInLarge = coef(interceptFit)[[1]], calibrationInLargeSe = summary(interceptFit)$coefficients[1, 2],
  brier = brier, hlBreaks = arr(brks), hlStatistic = hl, hlDf = g - 2, hlP = pchisq(hl, g - 2, lower.tail = FALSE),
  hlObserved = arr(O), hlExpected = arr(E), hlN = arr(N)), "validation.json")

# ---- descriptive -----------------------------------------------------------------------------
big <- 1e9 + rnorm(300, 0, 1e-3)
bigDev <- big - mean(big)
bigVar <- (sum(bigDev^2) - sum(bigDev)^2 / length(big)) / (length(big) - 1)
bigNodes <- rep(c("A", "B", "C"), c(90, 120, 90))
probs <- c(0, 0.1, 0.25, 0.5, 0.75, 0.9, 1)
tw <- t.test(age ~ sex, data = d); tp <- t.test(age ~ sex, data = d, var.equal = TRUE)
tt <- function(t) list(statistic = t$statistic[[1]], df = t$parameter[[1]], p = t$p.value,
  ciLower = t$conf.int[1], ciUpper = t$conf.int[2])
c22 <- chisq.test(table(d$sex, d$toxicity)); c42 <- chisq.test(table(d$stage, d$toxicity))
c22n <- chisq.test(table(d$sex, d$toxicity), correct = FALSE)
ch <- function(x) list(table = arr(t(x$observed)), nrow = nrow(x$observed), ncol = ncol(x$observed),
  statistic = x$statistic[[1]], df = x$parameter[[1]], p = x$p.value)
wj(list(
  ageMean = mean(d$age), ageSd = sd(d$age), ageVar = var(d$age),
  # R's var() is off by ~2e-9 relative on this data (checked against exact rational arithmetic), so the
  # reference is the corrected two-pass formula: exact deviations from mean(), O(eps) error.
  big = arr(big), bigNode = arr(bigNodes), bigMean = mean(big), bigSd = sqrt(bigVar), bigVar = bigVar,
  bigVarR = var(big),
  probs = arr(probs), ageQuantiles = arr(quantile(d$age, probs, type = 7)),
  doseQuantiles = arr(quantile(d$dose_gy, probs, type = 7)),
  welch = tt(tw), pooled = tt(tp),
  chisq2x2 = ch(c22), chisq2x2NoCorrect = ch(c22n), chisq4x2 = ch(c42)
), "descriptive.json")
cat("fixtures written to", out, "\n")
