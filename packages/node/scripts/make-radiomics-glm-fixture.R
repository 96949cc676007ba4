# R's glm on the pooled radiomics feature table joined to the outcomes (see make-radiomics-glm-fixture.mjs).
# Run from the repository root: Rscript packages/node/scripts/make-radiomics-glm-fixture.R
dir <- "packages/node/fixtures/radiomics-extract"
cohort <- read.csv(file.path(dir, "cohort.csv"), stringsAsFactors = FALSE)
features <- read.csv(file.path(dir, "features.csv"), stringsAsFactors = FALSE)
pooled <- merge(cohort, features[, setdiff(names(features), "node")], by = "patient_id")
fit <- glm(y ~ morph_volume + stat_mean + age, family = binomial, data = pooled)
s <- summary(fit)$coefficients
num <- function(x) sprintf("%.17g", x)
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
json <- paste0(
  "{\"n\":", nrow(pooled),
  ",\"names\":[", paste0("\"", rownames(s), "\"", collapse = ","), "]",
  ",\"estimate\":", arr(s[, 1]),
  ",\"se\":", arr(s[, 2]),
  ",\"deviance\":", num(deviance(fit)),
  ",\"nullDeviance\":", num(fit$null.deviance),
  ",\"aic\":", num(AIC(fit)),
  ",\"r\":\"", R.version.string, "\"}")
writeLines(json, file.path(dir, "glm.json"))
cat(json, "\n")
