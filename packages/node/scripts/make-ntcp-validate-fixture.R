# R's validation numbers for packages/node/src/ntcp-validate.test.ts: two frozen NTCP models applied to the
# per-patient gEUD (n = 0.25) that dvh-extract computed at the three test nodes (fixtures/ntcp-logistic/data.csv),
# per centre and pooled: the AUC (Mann-Whitney, as wilcox.test's W / (n1 n0)) and the Brier score.
#   logistic: p = plogis(-9 + 0.25 gEUD)            (a frozen logistic NTCP formula on a DVH metric)
#   lkb:      p = pnorm((gEUD - 38) / (0.2 * 38))   (a frozen LKB model: TD50 38 Gy, m 0.2, n 0.25)
# Run from packages/node: Rscript scripts/make-ntcp-validate-fixture.R
d <- read.csv("fixtures/ntcp-logistic/data.csv")
models <- list(
  logistic = function(g) plogis(-9 + 0.25 * g),
  lkb = function(g) pnorm((g - 38) / (0.2 * 38))
)
num <- function(x) sprintf("%.17g", x)
stats <- function(y, p) {
  w <- suppressWarnings(wilcox.test(p[y == 1], p[y == 0], exact = FALSE)$statistic)
  sprintf('{"n": %d, "events": %d, "auc": %s, "brier": %s}', length(y), sum(y),
          num(unname(w) / (sum(y == 1) * sum(y == 0))), num(mean((y - p)^2)))
}
parts <- sapply(names(models), function(m) {
  p <- models[[m]](d$geud_n_0_25)
  centres <- sapply(sort(unique(d$centre)), function(cn) {
    s <- d$centre == cn
    sprintf('"%s": %s', cn, stats(d$y[s], p[s]))
  })
  sprintf('"%s": {"pooled": %s, "centres": {%s}}', m, stats(d$y, p), paste(centres, collapse = ", "))
})
cat(sprintf('{"source": "R %s.%s: wilcox.test W / (n1 n0), mean((y - p)^2)",\n%s\n}\n',
            R.version$major, R.version$minor, paste(parts, collapse = ",\n")),
    file = "fixtures/ntcp-logistic/r-validate.json")
