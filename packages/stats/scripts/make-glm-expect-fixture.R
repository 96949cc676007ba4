# R's numbers for the GLM additions (issue #16 "what they expect"): quasi families, negative binomial (MASS::glm.nb),
# t intervals of a gaussian GLM, sequential likelihood-ratio tests (anova(fit, test = "Chisq")), and robust
# (sandwich::vcovHC(type = "HC0")) and cluster-robust by centre (sandwich::vcovCL(type = "HC0")) covariances,
# on the committed cohort (packages/stats/fixtures/cohort.csv).
# Run from the repository root:  Rscript packages/stats/scripts/make-glm-expect-fixture.R
# Needs: r-base-core, r-cran-mass, r-cran-sandwich (Debian). JSON is written by hand (%.17g).
suppressPackageStartupMessages({ library(MASS); library(sandwich) })
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
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

# A fit refitted from its own coefficients, so that the covariance is at the final coefficients (as fedhub's).
tight <- function(f, family, weights = NULL) {
  args <- list(formula = f, family = family, data = d)
  if (!is.null(weights)) args$weights <- d[[weights]]
  fit0 <- do.call(glm, c(args, list(control = ctl)))
  do.call(glm, c(args, list(control = ctl, start = coef(fit0))))
}
summ <- function(name, fit, f, weights, dispersion = NULL) {
  s <- summary(fit, dispersion = dispersion); cf <- s$coefficients
  list(name = name, formula = paste(deparse(f), collapse = ""), family = fit$family$family,
    weights = if (is.null(weights)) "" else weights, names = arr(rownames(cf)), estimate = arr(cf[, 1]),
    se = arr(cf[, 2]), stat = arr(cf[, 3]), p = arr(cf[, 4]), deviance = fit$deviance,
    nullDeviance = fit$null.deviance, aic = fit$aic, dfResidual = fit$df.residual, dispersion = s$dispersion)
}
famRef <- function(name, f, family, weights = NULL) summ(name, tight(f, family, weights), f, weights)
fams <- list(
  famRef("quasibinomial", toxicity ~ age + sex + dose_gy, quasibinomial(), "w"),
  famRef("quasipoisson", events ~ age + sex + factor(stage) + offset(log(exposure)), quasipoisson())
)

# negative binomial: overdispersed counts over three uneven centres (written as negbin.csv), glm.nb to a tight
# tolerance, then the glm at its theta refitted from its coefficients (covariance at the final coefficients)
set.seed(20261207)
nbGen <- function(centre, n) {
  x <- round(rnorm(n, 0, 1), 3); grp <- sample(c("a", "b", "c"), n, replace = TRUE)
  expo <- round(runif(n, 0.5, 3), 2)
  y <- rnbinom(n, size = 1.7, mu = expo * exp(0.4 + 0.3 * x + 0.5 * (grp == "b") - 0.4 * (grp == "c")))
  data.frame(centre, x, grp, expo, y, stringsAsFactors = FALSE)
}
nd <- rbind(nbGen("A", 900), nbGen("B", 400), nbGen("C", 150))
write.csv(nd, file.path(out, "negbin.csv"), row.names = FALSE, quote = FALSE)
fnb <- y ~ x + grp + offset(log(expo))
nb <- glm.nb(fnb, data = nd, control = glm.control(epsilon = 1e-13, maxit = 100))
nbFit <- glm(fnb, family = negative.binomial(nb$theta), data = nd, control = ctl, start = coef(nb))
nbRef <- summ("negativeBinomial", nbFit, fnb, NULL, dispersion = 1) # as summary.negbin
nbRef$family <- "negative.binomial"
nbRef$theta <- nb$theta; nbRef$seTheta <- nb$SE.theta; nbRef$aic <- nb$aic; nbRef$twoLogLik <- nb$twologlik
nbRef$nullDeviance <- nb$null.deviance
fnb2 <- y ~ x + grp
nb2 <- glm.nb(fnb2, data = nd, control = glm.control(epsilon = 1e-13, maxit = 100))
nbRef2 <- list(formula = paste(deparse(fnb2), collapse = ""), theta = nb2$theta, seTheta = nb2$SE.theta,
  estimate = arr(coef(nb2)), aic = nb2$aic, nullDeviance = nb2$null.deviance, deviance = nb2$deviance)

# gaussian: t intervals (confint.lm; the profile interval of a gaussian GLM is the same)
fg <- dose_gy ~ age + sex + factor(stage)
gf <- tight(fg, gaussian(), "w")
gs <- summary(gf)$coefficients
q <- qt(0.975, gf$df.residual)
gaussT <- list(formula = paste(deparse(fg), collapse = ""), weights = "w", ciLower = arr(gs[, 1] - q * gs[, 2]),
  ciUpper = arr(gs[, 1] + q * gs[, 2]), lmLower = arr(confint(lm(fg, data = d, weights = w))[, 1]))

# sequential likelihood-ratio tests, anova(fit, test = "Chisq")
anovaRef <- function(name, f, family, weights = NULL) {
  fit <- tight(f, family, weights)
  a <- anova(fit, test = "Chisq")
  list(name = name, formula = paste(deparse(f), collapse = ""), family = family$family,
    weights = if (is.null(weights)) "" else weights, terms = arr(rownames(a)[-1]), df = arr(a$Df[-1]),
    deviance = arr(a$Deviance[-1]), residDf = arr(a$`Resid. Df`), residDeviance = arr(a$`Resid. Dev`),
    p = arr(a$`Pr(>Chi)`[-1]))
}
anovas <- list(
  anovaRef("binomial", toxicity ~ age + sex + factor(stage) + dose_gy + age:sex, binomial()),
  anovaRef("poisson", events ~ age + sex + factor(stage) + offset(log(exposure)), poisson()),
  anovaRef("gaussian", dose_gy ~ age + sex + factor(stage), gaussian(), "w")
)

# robust covariances: HC0 sandwich and cluster-robust by centre (HC0, with sandwich's G / (G - 1) adjustment)
robustRef <- function(name, f, family, weights = NULL) {
  fit <- tight(f, family, weights)
  list(name = name, formula = paste(deparse(f), collapse = ""), family = family$family,
    weights = if (is.null(weights)) "" else weights,
    hc0 = arr(t(vcovHC(fit, type = "HC0"))), cluster = arr(t(vcovCL(fit, cluster = ~centre, type = "HC0"))))
}
robust <- list(
  robustRef("binomial", toxicity ~ age + sex + factor(stage) + dose_gy, binomial()),
  robustRef("poisson", events ~ age + sex + factor(stage) + offset(log(exposure)), poisson()),
  robustRef("gaussian", dose_gy ~ age + sex + factor(stage), gaussian(), "w"),
  robustRef("quasipoisson", events ~ age + factor(stage) + offset(log(exposure)), quasipoisson())
)
gx <- c(1e-6, 0.01, 0.3, 0.5, 1, 1.7085, 2.5, 7.25, 9.999, 10, 33, 150.5, 1e4, 1e8)
gammaFns <- list(x = arr(gx), digamma = arr(digamma(gx)), trigamma = arr(trigamma(gx)))
writeLines(toj(list(gammaFunctions = gammaFns, families = fams, negativeBinomial = nbRef, negativeBinomialNoOffset = nbRef2, gaussianT = gaussT, anova = anovas, robust = robust)),
  file.path(out, "glm-expect.json"))
