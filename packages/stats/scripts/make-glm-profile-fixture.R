# R's profile-likelihood intervals of GLM coefficients, confint(fit) (MASS 7.3 profile.glm + confint.profile.glm;
# the same code is in stats from R 4.4), on the committed cohort (packages/stats/fixtures/cohort.csv) and the
# negative binomial data (negbin.csv). Fits use R's default glm.control, as a user's would. The profile points
# (R's grid, each refit's signed root) are written too, so a failure can be traced to a point or to the spline.
# Run from the repository root:  Rscript packages/stats/scripts/make-glm-profile-fixture.R
# Needs: r-base-core, r-cran-mass (Debian). JSON is written by hand (%.17g).
suppressPackageStartupMessages(library(MASS))
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "packages/stats/fixtures"
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
arrj <- function(x) paste0("[", paste(num(as.numeric(x)), collapse = ","), "]")
strj <- function(x) paste0("[", paste0("\"", x, "\"", collapse = ","), "]")
d <- read.csv(file.path(out, "cohort.csv"), stringsAsFactors = FALSE)
nd <- read.csv(file.path(out, "negbin.csv"), stringsAsFactors = FALSE)

case <- function(name, fit, family, weights, data) {
  ci <- suppressMessages(confint(fit))
  pr <- profile(fit, alpha = (1 - 0.95) / 4)
  pts <- vapply(names(coef(fit)), function(nm) {
    p <- pr[[nm]]
    paste0("{\"b\":", arrj(p$par.vals[, nm]), ",\"z\":", arrj(p[, 1]), "}")
  }, "")
  paste0("{\"name\":\"", name, "\",\"formula\":\"", paste(deparse(formula(fit)), collapse = ""),
    "\",\"family\":\"", family, "\",\"weights\":\"", weights, "\",\"data\":\"", data,
    "\",\"names\":", strj(names(coef(fit))), ",\"lower\":", arrj(ci[, 1]), ",\"upper\":", arrj(ci[, 2]),
    ",\"wald\":", arrj(confint.default(fit)[, 1]), ",\"points\":[", paste(pts, collapse = ","), "]}")
}
cases <- c(
  case("binomial", glm(toxicity ~ age + sex + factor(stage) + dose_gy, binomial(), d), "binomial", "", "cohort"),
  case("poisson", glm(events ~ age + sex + factor(stage) + offset(log(exposure)), poisson(), d), "poisson", "",
    "cohort"),
  case("gaussian", glm(dose_gy ~ age + sex + factor(stage), gaussian(), d, weights = w), "gaussian", "w",
    "cohort"),
  case("quasipoisson", glm(events ~ age + factor(stage) + offset(log(exposure)), quasipoisson(), d),
    "quasipoisson", "", "cohort"),
  case("negative.binomial", glm.nb(y ~ x + grp + offset(log(expo)), data = nd), "negative.binomial", "",
    "negbin")
)
writeLines(paste0("{\"rVersion\":\"", R.version.string, "\",\"mass\":\"", packageVersion("MASS"),
  "\",\"cases\":[", paste(cases, collapse = ","), "]}"), file.path(out, "glm-profile.json"))
