# Reference numbers for validate's subgroup table (packages/algorithms/src/validate/subgroups.federated.test.ts):
# per level of sex and of stage, on the pooled rows of packages/stats/fixtures/cohort.csv, the frozen score's
# AUC (Mann-Whitney, ties 1/2), DeLong's variance (placement values, DeLong et al. 1988; as pROC's
# var(method = "delong")), its 95% CI (AUC +- qnorm(0.975) * SE, as pROC's ci.auc(method = "delong")), the Brier
# score, observed / expected events, and (validate 1.6.0) the calibration slope (glm(y ~ qlogis(p), binomial))
# and calibration-in-the-large (glm(y ~ 1, offset = qlogis(p), binomial)) with R's Wald intervals
# (confint.default), each refitted from its own coefficients (start = coef(fit)) so that the covariance is
# taken at the final coefficients, as fedhub's glmSummarize takes it. Base R only.
# Run: Rscript packages/algorithms/scripts/make-validate-subgroup-fixture.R
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
d <- read.csv(file.path(here, "../../stats/fixtures/cohort.csv"))
delong <- function(y, p) {
  pos <- p[y == 1]; neg <- p[y == 0]
  psi <- outer(pos, neg, function(a, b) (a > b) + 0.5 * (a == b))
  auc <- mean(psi)
  v10 <- rowMeans(psi); v01 <- colMeans(psi)
  v <- var(v10) / length(pos) + var(v01) / length(neg)
  z <- qnorm(0.975)
  list(auc = auc, variance = v, ciLower = auc - z * sqrt(v), ciUpper = auc + z * sqrt(v))
}
row <- function(s, level) {
  a <- delong(s$toxicity, s$score)
  lp <- qlogis(s$score)
  slopeFit <- glm(s$toxicity ~ lp, family = binomial())
  slopeFit <- glm(s$toxicity ~ lp, family = binomial(), start = coef(slopeFit))
  largeFit <- glm(s$toxicity ~ 1, offset = lp, family = binomial())
  largeFit <- glm(s$toxicity ~ 1, offset = lp, family = binomial(), start = coef(largeFit))
  cs <- confint.default(slopeFit)
  cl <- confint.default(largeFit)
  list(level = level, n = nrow(s), events = sum(s$toxicity), auc = a$auc, aucVariance = a$variance,
       aucCiLower = a$ciLower, aucCiUpper = a$ciUpper, brier = mean((s$score - s$toxicity)^2),
       observedExpected = sum(s$toxicity) / sum(s$score),
       calibrationSlope = unname(coef(slopeFit)[2]), calibrationSlopeCiLower = cs[2, 1],
       calibrationSlopeCiUpper = cs[2, 2], calibrationInLarge = unname(coef(largeFit)[1]),
       calibrationInLargeCiLower = cl[1, 1], calibrationInLargeCiUpper = cl[1, 2])
}
by <- function(col, levels) lapply(levels, function(l) row(d[d[[col]] == l, ], l))
out <- list(sex = by("sex", c("F", "M")), stage = by("stage", c("I", "II", "III", "IV")))
num <- function(x) if (is.character(x)) paste0('"', x, '"') else format(x, digits = 17)
obj <- function(r) paste0("{", paste0('"', names(r), '": ', vapply(r, num, ""), collapse = ", "), "}")
json <- paste0("{\n", paste0('  "', names(out), '": [\n    ',
  vapply(out, function(rs) paste(vapply(rs, obj, ""), collapse = ",\n    "), ""), "\n  ]", collapse = ",\n"), "\n}\n")
writeLines(json, file.path(here, "../fixtures/validate-subgroups.json"), sep = "")
