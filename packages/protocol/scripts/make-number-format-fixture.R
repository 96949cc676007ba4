# Captures R's printing of numbers for packages/protocol/src/format/number-format.test.ts.
# Run: Rscript packages/protocol/scripts/make-number-format-fixture.R > packages/protocol/src/format/fixtures/r-number-format.json
# (R 4.x, default options: scipen = 0, OutDec = ".")
set.seed(20)
xs <- c(0, 1, -1, 0.5, 1159.1042406142994, 0.1 + 0.2, 123456, 1234567, 12345678, 1e15, 1.23e-5, 0.000123,
        0.00123, -0.0001, -1e-7, 9.9999, 99.996, 0.99951, 2.718281828, -3.14159265, 1e-300, 6.02e23, 42,
        0.04567, 100, 1e5, 1e-4, 0.0001234, 17.5, 0.0625, 3.999, -0.5,
        signif(exp(rnorm(40, 0, 6)), 7) * sample(c(-1, 1), 40, TRUE))
ps <- c(0, 1e-20, 2e-16, 3.1e-7, 1e-4, 0.0001234, 0.00099, 0.001, 0.0123456, 0.04567, 0.049999, 0.05, 0.5,
        0.999, 1, 5.5e-10, signif(runif(20)^6, 9))
rows <- list()
q <- function(s) paste0('"', s, '"')
num <- function(x) if (x == 0) "0" else sprintf("%.17g", x)
fmt <- c()
for (x in xs) for (d in c(1, 2, 3, 4, 6)) fmt <- c(fmt, sprintf('{"x": %s, "digits": %d, "r": %s}', num(x), d, q(format(x, digits = d))))
pv <- c()
for (p in ps) for (d in c(2, 3, 4)) pv <- c(pv, sprintf('{"p": %s, "digits": %d, "r": %s}', num(p), d, q(format.pval(p, digits = d))))
fx <- c()
for (x in c(-0.0001, -0.00049, 0.0004, 1.23456, -2.5e-8, 12.3456, 1234.5678, -0.00000001, 0.987654,
            0.97349, 0.99962, 0.9999996, 0.00031, 0.812549, 0.5, 1))
  for (k in c(0, 1, 2, 3, 4, 5)) fx <- c(fx, sprintf('{"x": %s, "decimals": %d, "r": %s}', num(x), k, q(sub("^-(0\\.?0*)$", "\\1", formatC(x, format = "f", digits = k)))))
cat('{\n"source": "R ', R.version$major, '.', R.version$minor, ': format(x, digits), format.pval(p, digits), formatC(x, format = f, digits = k) without the sign of a zero",\n', sep = "")
cat('"format": [\n', paste(fmt, collapse = ",\n"), '\n],\n', sep = "")
cat('"formatPval": [\n', paste(pv, collapse = ",\n"), '\n],\n', sep = "")
cat('"fixed": [\n', paste(fx, collapse = ",\n"), '\n]\n}\n', sep = "")
