# ROC reference for rocFromHistograms: pROC's sensitivities and specificities at every threshold of the
# cohort's score rounded to the 0.001 grid the federated validation uses.
# Run from the repository root: Rscript packages/stats/scripts/make-roc-fixture.R  (writes fixtures/roc.json)
# Needs: r-base-core, r-cran-proc (Debian). JSON is written by hand (%.17g), -Inf/Inf as strings.
suppressPackageStartupMessages(library(pROC))
num <- function(x) ifelse(is.infinite(x), ifelse(x > 0, "\"Infinity\"", "\"-Infinity\""), sprintf("%.17g", x))
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
d <- read.csv("packages/stats/fixtures/cohort.csv")
s <- round(d$score / 0.001) * 0.001
r <- roc(d$toxicity, s, levels = c(0, 1), direction = "<", quiet = TRUE)
writeLines(paste0("{\"resolution\":0.001,\"auc\":", num(as.numeric(r$auc)),
  ",\"thresholds\":", arr(r$thresholds), ",\"sensitivities\":", arr(r$sensitivities),
  ",\"specificities\":", arr(r$specificities), "}"), "packages/stats/fixtures/roc.json")
