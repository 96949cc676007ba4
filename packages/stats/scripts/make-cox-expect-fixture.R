# R's numbers for the Cox additions (issue #16): the proportional-hazards test cox.zph (transforms "km" and
# "identity", chi-square per term and global) and per-term Wald tests (multi-df for factors:
# b_T' V_TT^-1 b_T), on the committed cohort with times coarsened to 1 month, as make-fixtures.R does.
# Run from the repository root:  Rscript packages/stats/scripts/make-cox-expect-fixture.R
# Needs: r-base-core, r-cran-survival (Debian). JSON is written by hand (%.17g).
suppressPackageStartupMessages(library(survival))
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "packages/stats/fixtures"
num <- function(x) ifelse(is.na(x) | is.infinite(x),
  ifelse(is.na(x), "null", ifelse(x > 0, "\"Infinity\"", "\"-Infinity\"")), sprintf("%.17g", x))
toj <- function(x) {
  if (is.list(x)) {
    if (!is.null(names(x))) return(paste0("{", paste0("\"", names(x), "\":", vapply(x, toj, ""), collapse = ","), "}"))
    return(paste0("[", paste(vapply(x, toj, ""), collapse = ","), "]"))
  }
  if (inherits(x, "AsIs") || length(x) != 1) {
    v <- if (is.character(x)) paste0("\"", x, "\"") else if (is.logical(x)) tolower(as.character(x)) else num(as.numeric(x))
    return(paste0("[", paste(v, collapse = ","), "]"))
  }
  if (is.character(x)) return(paste0("\"", x, "\""))
  if (is.logical(x)) return(tolower(as.character(x)))
  num(as.numeric(x))
}
arr <- function(x) I(as.vector(x))
d <- read.csv(file.path(out, "cohort.csv"), stringsAsFactors = FALSE)
RES <- 1
d$tc <- ceiling(d$months / RES) * RES

zphRef <- function(name, f, ties, transforms) {
  fit <- coxph(f, data = d, ties = ties)
  asgn <- fit$assign
  b <- coef(fit); V <- vcov(fit)
  wald <- sapply(asgn, function(j) drop(t(b[j]) %*% solve(V[j, j, drop = FALSE], b[j])))
  zph <- lapply(transforms, function(tr) {
    z <- cox.zph(fit, transform = tr)
    list(transform = tr, terms = arr(rownames(z$table)), chisq = arr(z$table[, "chisq"]),
      df = arr(z$table[, "df"]), p = arr(z$table[, "p"]))
  })
  list(name = name, formula = paste(deparse(f), collapse = ""), ties = ties, terms = arr(names(asgn)),
    waldChisq = arr(wald), waldDf = arr(sapply(asgn, length)),
    waldP = arr(pchisq(wald, sapply(asgn, length), lower.tail = FALSE)), zph = zph)
}
fits <- list(
  zphRef("efron", Surv(tc, dead) ~ age + sex + factor(stage) + dose_gy, "efron", c("km", "identity")),
  zphRef("breslow", Surv(tc, dead) ~ age + sex + factor(stage) + dose_gy, "breslow", c("km", "identity")),
  zphRef("efronStrata", Surv(tc, dead) ~ age + sex + dose_gy + strata(centre), "efron", c("identity"))
)
writeLines(toj(list(resolution = RES, fits = fits)), file.path(out, "cox-expect.json"))
