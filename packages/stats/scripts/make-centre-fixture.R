# Per-centre reference fits for the per-centre breakdown of `glm` (each centre's own model on its own rows,
# as a forest plot of centres shows them): R's glm at each centre of the fixture cohort, with the same
# tight control as make-fixtures.R (epsilon 1e-14, then one more pass from the converged coefficients).
# Run from the repository root: Rscript packages/stats/scripts/make-centre-fixture.R
# Needs: r-base-core. JSON is written by hand (%.17g).
num <- function(x) sprintf("%.17g", x)
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
strs <- function(x) paste0("[", paste0("\"", x, "\"", collapse = ","), "]")
d <- read.csv("packages/stats/fixtures/cohort.csv")
d$sex <- factor(d$sex)
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
fit <- function(sub) {
  f <- glm(toxicity ~ dose_gy + age + sex, family = binomial(), data = sub, control = ctl)
  f <- glm(toxicity ~ dose_gy + age + sex, family = binomial(), data = sub, control = ctl, start = coef(f))
  s <- summary(f)$coefficients
  ci <- cbind(s[, 1] - qnorm(0.975) * s[, 2], s[, 1] + qnorm(0.975) * s[, 2])
  paste0("{\"n\":", nrow(sub), ",\"names\":", strs(rownames(s)), ",\"estimate\":", arr(s[, 1]),
    ",\"se\":", arr(s[, 2]), ",\"ciLower\":", arr(ci[, 1]), ",\"ciUpper\":", arr(ci[, 2]), "}")
}
centres <- sort(unique(d$centre))
body <- paste0("\"", centres, "\":", vapply(centres, function(c) fit(d[d$centre == c, ]), ""), collapse = ",")
writeLines(paste0("{\"formula\":\"toxicity ~ dose_gy + age + sex\",\"family\":\"binomial\",\"centres\":{", body, "}}"),
  "packages/stats/fixtures/glm-per-centre.json")
