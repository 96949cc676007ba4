# Reference for the federated population DVH bands (packages/algorithms/src/dvh-bands): synthetic
# differential DVHs (2 Gy bins, centres 1, 3, ..., 79 Gy; volume as a fraction) of three centres, and R's
# type-7 percentiles across patients of the cumulative DVH at the levels 0, 1, ..., 80 Gy, pooled and per
# centre. The volume of a bin is spread evenly over the bin, so V(d) = sum_i v_i * clamp((d_i + 1 - d) / 2, 0, 1).
# Centre c holds one patient whose dose stands far above the others' (the adversary's case: a band must not
# follow one patient's curve). Run from this folder:
#   Rscript make-fixtures.R
set.seed(20261207)
dose <- seq(1, 79, by = 2)
bin <- 2
make_patient <- function(id, hot = FALSE) {
  mu1 <- runif(1, 8, 30); mu2 <- if (hot) 74 else runif(1, 30, 55); w <- runif(1, 0.3, 0.9)
  v <- w * exp(-(dose - mu1)^2 / (2 * 6^2)) + (1 - w) * exp(-(dose - mu2)^2 / (2 * 4^2))
  v[v < 1e-4] <- 0
  v <- signif(v / sum(v), 10)
  data.frame(patient = id, dose = dose, volume = v)
}
sizes <- c(a = 40, b = 35, c = 30)
levels <- 0:80
probs <- c(0.05, 0.25, 0.5, 0.75, 0.95)
cum <- function(p) sapply(levels, function(d) 100 * sum(p$volume * pmin(1, pmax(0, (p$dose + bin / 2 - d) / bin))) / sum(p$volume))
curves <- list(); k <- 0
for (centre in names(sizes)) {
  rows <- list()
  for (i in seq_len(sizes[[centre]])) {
    id <- sprintf("%s%02d", toupper(centre), i)
    p <- make_patient(id, hot = centre == "c" && i == 1)
    p <- p[p$volume > 0, ]
    rows[[i]] <- p
    k <- k + 1
    curves[[k]] <- list(centre = centre, v = cum(p))
  }
  write.csv(do.call(rbind, rows), sprintf("fixtures/bands-%s.csv", centre), row.names = FALSE, quote = FALSE)
}
band <- function(sel) {
  m <- do.call(rbind, lapply(curves[sel], function(x) x$v))  # patients x levels
  lapply(probs, function(p) unname(apply(m, 2, function(col) quantile(col, p, type = 7))))
}
centre_of <- sapply(curves, function(x) x$centre)
# JSON by hand (no jsonlite on the machine that made the fixtures)
vec <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ","), "]")
bands_json <- function(b) paste0("[", paste(sapply(b, vec), collapse = ","), "]")
json <- paste0(
  "{\"levels\":", vec(levels), ",\"probs\":", vec(probs), ",\"binGy\":", bin,
  ",\"pooled\":", bands_json(band(rep(TRUE, length(curves)))),
  ",\"centres\":{", paste(sapply(names(sizes), function(cn)
    paste0("\"", cn, "\":", bands_json(band(centre_of == cn)))), collapse = ","), "}",
  # every patient's cumulative DVH, so that the test can count the patients within a released bracket
  ",\"curves\":[", paste(sapply(curves, function(x) vec(x$v)), collapse = ","), "]}"
)
cat(json, file = "fixtures/bands-reference.json")
