# Reference for the federated LKB NTCP fit (packages/algorithms/src/lkb): a synthetic cohort of differential
# DVHs in long format split over three centres, and the maximum-likelihood fit of the pooled data by R's
# optim (Nelder-Mead, then BFGS polished to reltol 1e-15), with profile-likelihood 95% intervals (uniroot
# on the profile log-likelihood, each point maximised by optim), and the same with n fixed at 1. Run from this folder:
#   Rscript make-fixtures.R
set.seed(20261207)
dose <- seq(1, 79, by = 2)                       # bin centres (Gy)
make_patient <- function(id) {
  # a cold bulk and a hot part of varying size: DVH shapes that set n apart from TD50
  mu1 <- runif(1, 5, 40); mu2 <- runif(1, 40, 78); w <- runif(1, 0.2, 0.95)
  v <- w * exp(-(dose - mu1)^2 / (2 * 8^2)) + (1 - w) * exp(-(dose - mu2)^2 / (2 * 5^2)) + 1e-3
  v <- v / sum(v)
  data.frame(patient = id, dose = dose, volume = signif(v, 10))
}
geud <- function(d, v, n) { a <- 1 / n; v <- v / sum(v); sum(v * d^a)^n }
TD50 <- 45; m <- 0.2; n <- 0.25
rows <- list()
for (i in 1:360) {
  p <- make_patient(sprintf("P%03d", i))
  g <- geud(p$dose, p$volume, n)
  p$outcome <- rbinom(1, 1, pnorm((g - TD50) / (m * TD50)))
  rows[[i]] <- p
}
all <- do.call(rbind, rows)
centre <- rep(c("a", "b", "c"), length.out = 360)
for (k in c("a", "b", "c")) {
  ids <- sprintf("P%03d", which(centre == k))
  write.csv(all[all$patient %in% ids, c("patient", "dose", "volume", "outcome")],
            sprintf("fixtures/lkb-%s.csv", k), row.names = FALSE, quote = FALSE)
}
# fit what was written (the numbers the nodes read)
pooled <- do.call(rbind, lapply(c("a", "b", "c"), function(k) read.csv(sprintf("fixtures/lkb-%s.csv", k))))
pts <- split(pooled, pooled$patient)
y <- sapply(pts, function(p) p$outcome[1])
nll <- function(th) {
  td50 <- exp(th[1]); mm <- exp(th[2]); nn <- exp(th[3])
  g <- sapply(pts, function(p) geud(p$dose, p$volume, nn))
  t <- (g - td50) / (mm * td50)
  -sum(y * pnorm(t, log.p = TRUE) + (1 - y) * pnorm(t, lower.tail = FALSE, log.p = TRUE))
}
start <- c(log(40), log(0.3), log(0.5))
f1 <- optim(start, nll, method = "Nelder-Mead", control = list(maxit = 5000, reltol = 1e-12))
f2 <- optim(f1$par, nll, method = "BFGS", control = list(maxit = 1000, reltol = 1e-15))
f3 <- optim(f2$par, nll, method = "Nelder-Mead", control = list(maxit = 5000, reltol = 1e-15))
fit <- if (f3$value < f2$value) f3 else f2
fit <- optim(fit$par, nll, method = "BFGS", control = list(maxit = 1000, reltol = 1e-15))
llmax <- -fit$value
q <- qchisq(0.95, 1) / 2
profile <- function(j, psi) {
  others <- setdiff(1:3, j)
  f <- function(o) { th <- numeric(3); th[j] <- psi; th[others] <- o; nll(th) }
  o1 <- optim(fit$par[others], f, method = "Nelder-Mead", control = list(reltol = 1e-14, maxit = 5000))
  o2 <- optim(o1$par, f, method = "BFGS", control = list(reltol = 1e-15, maxit = 1000))
  -o2$value
}
ci <- matrix(NA, 3, 2)
for (j in 1:3) {
  g <- function(psi) profile(j, psi) - (llmax - q)
  for (s in 1:2) {
    dir <- if (s == 1) -1 else 1
    far <- fit$par[j] + dir * 0.05
    while (g(far) > 0 && abs(far - fit$par[j]) < 6) far <- fit$par[j] + 2 * (far - fit$par[j])
    if (g(far) > 0) next
    r <- uniroot(g, sort(c(fit$par[j], far)), tol = 1e-12)
    ci[j, s] <- exp(r$root)
  }
}
# n fixed at 1 (a mean-dose model): TD50 and m, with their profile intervals
nll1 <- function(th2) nll(c(th2, 0))
g1 <- optim(fit$par[1:2], nll1, method = "Nelder-Mead", control = list(maxit = 5000, reltol = 1e-14))
g1 <- optim(g1$par, nll1, method = "BFGS", control = list(maxit = 1000, reltol = 1e-15))
ll1 <- -g1$value
ci1 <- matrix(NA, 2, 2)
for (j in 1:2) {
  other <- 3 - j
  prof1 <- function(psi) {
    f <- function(o) { th <- numeric(2); th[j] <- psi; th[other] <- o; nll1(th) }
    o <- optimize(f, g1$par[other] + c(-3, 3), tol = 1e-12)
    -o$objective
  }
  g <- function(psi) prof1(psi) - (ll1 - q)
  for (s in 1:2) {
    dir <- if (s == 1) -1 else 1
    far <- g1$par[j] + dir * 0.05
    while (g(far) > 0 && abs(far - g1$par[j]) < 6) far <- g1$par[j] + 2 * (far - g1$par[j])
    if (g(far) > 0) next
    ci1[j, s] <- exp(uniroot(g, sort(c(g1$par[j], far)), tol = 1e-12)$root)
  }
}
num <- function(x) if (is.na(x)) "null" else sprintf("%.12g", x)
json <- sprintf(
  '{\n  "script": "packages/algorithms/src/lkb/make-fixtures.R",\n  "R": "%s",\n  "patients": %d,\n  "events": %d,\n  "TD50": %s,\n  "m": %s,\n  "n": %s,\n  "logLik": %s,\n  "ci95": {"TD50": [%s, %s], "m": [%s, %s], "n": [%s, %s]},\n  "fixedN1": {"TD50": %s, "m": %s, "logLik": %s, "ci95": {"TD50": [%s, %s], "m": [%s, %s]}}\n}\n',
  R.version.string, length(y), sum(y), num(exp(fit$par[1])), num(exp(fit$par[2])), num(exp(fit$par[3])),
  num(llmax), num(ci[1, 1]), num(ci[1, 2]), num(ci[2, 1]), num(ci[2, 2]), num(ci[3, 1]), num(ci[3, 2]),
  num(exp(g1$par[1])), num(exp(g1$par[2])), num(ll1), num(ci1[1, 1]), num(ci1[1, 2]), num(ci1[2, 1]), num(ci1[2, 2]))
cat(json, file = "fixtures/lkb-reference.json")
cat(json)
