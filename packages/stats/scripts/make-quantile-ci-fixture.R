# Distribution-free confidence intervals of quantiles from order statistics (Conover 1999, section 3.2):
#   l = qbinom(a/2, n, p), u = qbinom(1 - a/2, n, p) + 1, interval [x_(l), x_(u)],
#   coverage pbinom(u - 1, n, p) - pbinom(l - 1, n, p); an end with l = 0 or u = n + 1 is unbounded.
# For the median this is DescTools::MedianCI(method = "exact") (k = qbinom(a/2, n, 0.5), x[c(k, n - k + 1)]),
# checked below against that rule written out, as DescTools is not installed here.
# Run from the repository root:  Rscript packages/stats/scripts/make-quantile-ci-fixture.R
# Needs: r-base-core. JSON is written by hand (%.17g).
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
obj <- function(...) {
  x <- list(...)
  paste0("{", paste0("\"", names(x), "\":", unlist(x), collapse = ","), "}")
}
orderCi <- function(n, p, level) {
  a <- (1 - level) / 2
  l <- qbinom(a, n, p); u <- qbinom(1 - a, n, p) + 1
  c(if (l >= 1) l else NA, if (u <= n) u else NA, pbinom(u - 1, n, p) - pbinom(l - 1, n, p))
}
grid <- expand.grid(n = c(5, 10, 11, 30, 100, 1000, 1800, 100000), p = c(0.05, 0.1, 0.25, 0.5, 0.75, 0.9),
  level = c(0.9, 0.95, 0.99))
res <- t(mapply(orderCi, grid$n, grid$p, grid$level))
# the median rule of DescTools::MedianCI(method = "exact")
med <- grid$p == 0.5
k <- qbinom((1 - grid$level[med]) / 2, grid$n[med], 0.5)
stopifnot(all(ifelse(k >= 1, k, NA) == res[med, 1], na.rm = TRUE), all((grid$n[med] - k + 1) == res[med, 2], na.rm = TRUE))

d <- read.csv("packages/stats/fixtures/cohort.csv", stringsAsFactors = FALSE)
probs <- c(0.1, 0.25, 0.5, 0.75, 0.9)
colCi <- function(x) {
  x <- sort(x); n <- length(x)
  ci <- t(vapply(probs, function(p) orderCi(n, p, 0.95), c(0, 0, 0)))
  obj(probs = arr(probs), lower = arr(x[ci[, 1]]), upper = arr(x[ci[, 2]]), coverage = arr(ci[, 3]),
    estimate = arr(quantile(x, probs, type = 7)))
}
writeLines(obj(
  grid = obj(n = arr(grid$n), p = arr(grid$p), level = arr(grid$level), lower = arr(res[, 1]),
    upper = arr(res[, 2]), coverage = arr(res[, 3])),
  age = colCi(d$age), dose_gy = colCi(d$dose_gy)
), "packages/stats/fixtures/quantile-ci.json")
