# Edge cases a statistician tries: Gaussian GLM with zero prior weights, covariates in extreme units
# (around 5e6 and 5e-7), perfect separation in a binomial GLM, monotone likelihood in Cox, and R's
# numbers and warnings for each. A seeded 3-centre dataset of 300 rows.
# Run from the repository root:  Rscript packages/stats/scripts/make-edge-fixture.R
suppressPackageStartupMessages(library(survival))
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "packages/stats/fixtures"
set.seed(20261209)
num <- function(x) ifelse(is.na(x), "null", ifelse(is.infinite(x), ifelse(x > 0, "\"Infinity\"", "\"-Infinity\""), sprintf("%.17g", x)))
arr <- function(x) if (length(x) == 0) "[]" else paste0("[", paste(if (is.character(x)) paste0("\"", x, "\"") else num(x), collapse = ","), "]")
n <- 300
centre <- rep(c("A", "B", "C"), times = c(120, 100, 80))
x <- round(rnorm(n), 4)
z <- round(rnorm(n), 4)
big <- round(5e6 * (1 + 0.1 * x))            # e.g. a count of cells
tiny <- signif(5e-7 * (1 + 0.2 * z), 6)      # e.g. a concentration in mol/l
y <- round(1 + 0.5 * x - 0.3 * z + rnorm(n), 4)
w <- ifelse(runif(n) < 0.1, 0, round(runif(n, 0.5, 2), 3))
ybin <- rbinom(n, 1, plogis(0.3 + 0.8 * x - 0.5 * z))
sep <- as.integer(x > 0.2)                   # perfectly separated by x
grp <- rbinom(n, 1, 0.5)
time <- round(rexp(n, 0.05 * exp(0.4 * x)), 2)
status <- rbinom(n, 1, 0.7)
mono <- ifelse(grp == 1, status, 0L)         # every event in grp 1: monotone likelihood in grp
ymiss <- ifelse(runif(n) < 0.08, NA, y)      # an outcome with missing values
d <- data.frame(centre, x, z, big, tiny, y, w, ybin, sep, grp, time, status, mono, ymiss)
write.csv(d, file.path(out, "edge-cases.csv"), row.names = FALSE, quote = FALSE, na = "")

warns <- function(expr) {
  ws <- character(0)
  val <- withCallingHandlers(expr, warning = function(w) { ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(val = val, warnings = ws)
}
glmRef <- function(name, fit, ws, aicPositive = fit$aic) {
  s <- coef(summary(fit))
  paste0("{\"name\":\"", name, "\",\"names\":", arr(rownames(s)), ",\"estimate\":", arr(s[, 1]), ",\"se\":", arr(s[, 2]),
    ",\"deviance\":", num(fit$deviance), ",\"aic\":", num(fit$aic), ",\"dfResidual\":", num(fit$df.residual),
    ",\"dispersion\":", num(suppressWarnings(summary(fit))$dispersion), ",\"aicPositiveWeights\":", num(aicPositive),
    ",\"warnings\":", arr(ws), "}")
}
# R's default summary uses the weights of the previous iterate; refit from the final coefficients so the
# standard errors are those at the final coefficients (as fedhub computes them; see make-fixtures.R)
glmFit <- function(name, f, fam, weighted = FALSE) {
  r <- warns(if (weighted) glm(f, family = fam, data = d, weights = w) else glm(f, family = fam, data = d))
  st <- coef(r$val)
  fit2 <- suppressWarnings(if (weighted) glm(f, family = fam, data = d, weights = w, start = st)
    else glm(f, family = fam, data = d, start = st))
  # the AIC of the rows with positive weight (R's is Inf as soon as one prior weight is 0)
  aicPositive <- if (weighted) glm(f, family = fam, data = d, weights = w, subset = w > 0)$aic else fit2$aic
  glmRef(name, fit2, r$warnings, aicPositive)
}
coxRef <- function(name, f) {
  r <- warns(coxph(f, data = d, ties = "breslow"))
  fit <- r$val
  paste0("{\"name\":\"", name, "\",\"names\":", arr(names(coef(fit))), ",\"coef\":", arr(unname(coef(fit))),
    ",\"se\":", arr(sqrt(diag(fit$var))), ",\"loglik\":", arr(fit$loglik), ",\"warnings\":", arr(r$warnings), "}")
}
dd <- d; dd$tc <- ceiling(dd$time)
coxRefTc <- function(name, f) {
  r <- warns(coxph(f, data = dd, ties = "breslow"))
  fit <- r$val
  paste0("{\"name\":\"", name, "\",\"names\":", arr(names(coef(fit))), ",\"coef\":", arr(unname(coef(fit))),
    ",\"se\":", arr(sqrt(diag(fit$var))), ",\"loglik\":", arr(fit$loglik), ",\"warnings\":", arr(r$warnings), "}")
}
writeLines(paste0("{\"glm\":[",
  glmFit("gaussian zero weights", y ~ x + z, gaussian(), weighted = TRUE), ",",
  glmFit("gaussian extreme units", y ~ big + tiny, gaussian()), ",",
  glmFit("binomial extreme units", ybin ~ big + tiny, binomial()), ",",
  glmFit("binomial separation", sep ~ x + z, binomial()), ",",
  sub("}$", paste0(",\"missingDropped\":", length(na.action(glm(ymiss ~ x + z, data = d))), "}"),
    glmFit("gaussian with missing outcomes", ymiss ~ x + z, gaussian())),
  "],\"cox\":[",
  coxRefTc("cox extreme units", Surv(tc, status) ~ big + tiny), ",",
  coxRefTc("cox monotone likelihood", Surv(tc, mono) ~ grp + x), ",",
  coxRefTc("cox strata first", Surv(tc, status) ~ strata(centre) + x + z), ",",
  coxRefTc("cox strata of two variables", Surv(tc, status) ~ x + strata(centre, grp)),
  "]}"), file.path(out, "edge-cases.json"))
