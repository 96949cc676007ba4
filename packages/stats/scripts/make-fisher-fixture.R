# Fisher's exact test references (R fisher.test, two-sided) for @fedhub/stats fisherExact.
# Run from the repository root:  Rscript packages/stats/scripts/make-fisher-fixture.R
out <- "packages/stats/fixtures"
num <- function(x) ifelse(is.na(x), "null", ifelse(is.infinite(x), "\"Infinity\"", sprintf("%.17g", x)))
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
tables <- list(
  list(name = "2x2 small", nrow = 2, ncol = 2, counts = c(3, 1, 1, 3)),
  list(name = "2x2 tea", nrow = 2, ncol = 2, counts = c(12, 5, 3, 14)),
  list(name = "2x2 zero cell", nrow = 2, ncol = 2, counts = c(0, 7, 9, 4)),
  list(name = "2x2 large", nrow = 2, ncol = 2, counts = c(140, 60, 95, 105)),
  list(name = "3x3", nrow = 3, ncol = 3, counts = c(4, 2, 1, 1, 5, 2, 0, 3, 6)),
  list(name = "2x4", nrow = 2, ncol = 4, counts = c(8, 5, 3, 1, 2, 6, 7, 9)),
  list(name = "4x3", nrow = 4, ncol = 3, counts = c(6, 3, 1, 2, 5, 4, 1, 2, 7, 0, 1, 5)))
items <- vapply(tables, function(t) {
  m <- matrix(t$counts, nrow = t$nrow, byrow = TRUE)
  f <- fisher.test(m)
  est <- if (is.null(f$estimate)) NA else unname(f$estimate)
  ci <- if (is.null(f$conf.int)) c(NA, NA) else as.numeric(f$conf.int)
  paste0("{\"name\":\"", t$name, "\",\"nrow\":", t$nrow, ",\"ncol\":", t$ncol, ",\"counts\":", arr(t$counts),
    ",\"pValue\":", num(f$p.value), ",\"oddsRatio\":", num(est), ",\"ci\":", arr(ci), "}")
}, "")
writeLines(paste0("{\"tables\":[", paste(items, collapse = ","), "]}"), file.path(out, "fisher.json"))
