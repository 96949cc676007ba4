# R's numbers for the Cox additions of issue #16 part 2: robust and cluster-robust standard errors
# (coxph(..., robust = TRUE) and cluster()), predicted survival curves (survfit(fit, newdata), and the
# default curve at fit$means), and the centre as a variable (a GLM with factor(centre), a Cox model with
# strata(centre)), on the committed cohort with times coarsened to 1 month, as make-fixtures.R does.
# The cluster column "ward" is centre:stage, so every cluster lies within one centre (as fedhub requires).
# Run from the repository root:  Rscript packages/stats/scripts/make-cox-robust-fixture.R
# Needs: r-base-core, r-cran-survival (Debian). JSON is written by hand (%.17g).
suppressPackageStartupMessages(library(survival))
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "packages/stats/fixtures"
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
arr <- function(x) I(as.vector(x))
d <- read.csv(file.path(out, "cohort.csv"), stringsAsFactors = FALSE)
RES <- 1
d$tc <- ceiling(d$months / RES) * RES
d$ward <- paste(d$centre, d$stage, sep = ":")


robustRef <- function(name, f, ties, cluster) {
  fit <- if (cluster == "") coxph(f, data = d, ties = ties, robust = TRUE) else
    coxph(update(f, paste0(". ~ . + cluster(", cluster, ")")), data = d, ties = ties)
  list(name = name, formula = paste(deparse(f), collapse = ""), ties = ties, cluster = cluster,
    names = arr(names(coef(fit))), coef = arr(coef(fit)), se = arr(sqrt(diag(fit$naive.var))),
    robustSe = arr(sqrt(diag(fit$var))), robustVar = arr(fit$var), wald = unname(fit$wald.test),
    robustScore = unname(fit$rscore))
}
robust <- list(
  robustRef("efron", Surv(tc, dead) ~ age + sex + factor(stage) + dose_gy, "efron", ""),
  robustRef("breslow", Surv(tc, dead) ~ age + sex + factor(stage) + dose_gy, "breslow", ""),
  robustRef("efronCentre", Surv(tc, dead) ~ age + sex + factor(stage) + dose_gy, "efron", "centre"),
  robustRef("efronWard", Surv(tc, dead) ~ age + sex + dose_gy, "efron", "ward"),
  robustRef("efronStrata", Surv(tc, dead) ~ age + sex + dose_gy + strata(centre), "efron", "")
)

newdata <- data.frame(age = c(60, 71.5), sex = c("M", "F"), stage = c("II", "IV"), dose_gy = c(60, 72))
curveRef <- function(name, f, ties, nd) {
  fit <- coxph(f, data = d, ties = ties)
  sf <- if (is.null(nd)) survfit(fit) else survfit(fit, newdata = nd)
  m <- function(x) if (is.null(dim(x))) matrix(x, ncol = 1) else x
  k <- ncol(m(sf$surv))
  strata <- if (is.null(sf$strata)) rep("", length(sf$time)) else rep(names(sf$strata), sf$strata)
  list(name = name, formula = paste(deparse(f), collapse = ""), ties = ties,
    means = arr(fit$means), newdata = if (is.null(nd)) list() else lapply(seq_len(nrow(nd)), function(i) as.list(nd[i, ])),
    time = arr(sf$time), strata = arr(strata), nEvent = arr(sf$n.event), nRisk = arr(sf$n.risk),
    curves = lapply(seq_len(k), function(j) list(surv = arr(m(sf$surv)[, j]), cumhaz = arr(m(sf$cumhaz)[, j]),
      stdErr = arr(m(sf$std.err)[, j]), lower = arr(m(sf$lower)[, j]), upper = arr(m(sf$upper)[, j]))))
}
curves <- list(
  curveRef("efronNewdata", Surv(tc, dead) ~ age + sex + factor(stage) + dose_gy, "efron", newdata),
  curveRef("breslowNewdata", Surv(tc, dead) ~ age + sex + factor(stage) + dose_gy, "breslow", newdata),
  curveRef("efronMeans", Surv(tc, dead) ~ age + sex + factor(stage) + dose_gy, "efron", NULL),
  curveRef("efronStrata", Surv(tc, dead) ~ age + sex + dose_gy + strata(centre), "efron", newdata[1, c("age", "sex", "dose_gy")])
)

# the centre as a variable: what fedhub computes without a centre column (GLM: a dummy per centre but the first;
# Cox: strata by centre)
g <- glm(toxicity ~ dose_gy + age + sex + centre, family = binomial(), data = d,
  control = glm.control(epsilon = 1e-14, maxit = 100))
g <- glm(toxicity ~ dose_gy + age + sex + centre, family = binomial(), data = d,
  control = glm.control(epsilon = 1e-14, maxit = 100), start = coef(g))
gs <- summary(g)$coefficients
cx <- coxph(Surv(tc, dead) ~ age + sex + dose_gy + strata(centre), data = d)
centre <- list(
  glm = list(formula = "toxicity ~ dose_gy + age + sex", family = "binomial", names = arr(rownames(gs)),
    estimate = arr(gs[, 1]), se = arr(gs[, 2]), deviance = g$deviance),
  cox = list(formula = "Surv(tc, dead) ~ age + sex + dose_gy", ties = "efron", names = arr(names(coef(cx))),
    coef = arr(coef(cx)), se = arr(sqrt(diag(cx$var))), loglik = arr(cx$loglik))
)
writeLines(toj(list(resolution = RES, robust = robust, curves = curves, centre = centre)),
  file.path(out, "cox-robust.json"))
