# R's logistic NTCP fit for packages/node/src/ntcp-logistic.test.ts: glm(y ~ geud_n_0_25, binomial) on the
# per-patient gEUD (n = 0.25) that dvh-extract computed at the three test nodes (fixtures/ntcp-logistic/data.csv).
# Run from packages/node: Rscript scripts/make-ntcp-logistic-fixture.R
d <- read.csv("fixtures/ntcp-logistic/data.csv")
# converged to machine precision (as the other GLM fixtures): the default epsilon 1e-8 leaves the standard
# errors of the last-but-one IRLS step, 1e-4 off
fit <- glm(y ~ geud_n_0_25, family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
s <- summary(fit)$coefficients
ci <- confint.default(fit)
num <- function(x) sprintf("%.17g", x)
coefs <- sapply(seq_len(nrow(s)), function(j) sprintf(
  '{"term": "%s", "estimate": %s, "stdError": %s, "z": %s, "pValue": %s}',
  rownames(s)[j], num(s[j, 1]), num(s[j, 2]), num(s[j, 3]), num(s[j, 4])))
cat(sprintf('{\n"source": "R %s.%s: glm(y ~ geud_n_0_25, family = binomial, epsilon = 1e-14), confint.default",\n',
            R.version$major, R.version$minor),
    '"n": ', nrow(d), ',\n',
    '"coefficients": [\n', paste(coefs, collapse = ",\n"), '\n],\n',
    '"ciLower": [', paste(num(ci[, 1]), collapse = ", "), '],\n',
    '"ciUpper": [', paste(num(ci[, 2]), collapse = ", "), '],\n',
    '"deviance": ', num(fit$deviance), ',\n',
    '"nullDeviance": ', num(fit$null.deviance), ',\n',
    '"aic": ', num(fit$aic), '\n}\n', sep = "",
    file = "fixtures/ntcp-logistic/r-glm.json")
