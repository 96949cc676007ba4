# chisq with missing values and Fisher's exact test on the pooled table: a seeded 3-centre cohort
# (arm x response, with missing values in both) and R's chisq.test / fisher.test on table(arm, response)
# (R drops missing values) and with missing as a level (useNA = "ifany").
# Run from the repository root:  Rscript packages/stats/scripts/make-chisq-missing-fixture.R
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "packages/stats/fixtures"
set.seed(20261208)
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
n <- c(A = 70, B = 60, C = 50)
d <- do.call(rbind, lapply(names(n), function(c) {
  arm <- sample(c("drug", "placebo"), n[[c]], replace = TRUE)
  p <- ifelse(arm == "drug", 0.45, 0.25)
  u <- runif(n[[c]])
  response <- ifelse(u < p, "complete", ifelse(u < p + 0.3, "partial", "none"))
  arm[runif(n[[c]]) < 0.07] <- NA
  response[runif(n[[c]]) < 0.06] <- NA
  data.frame(centre = c, arm, response, stringsAsFactors = FALSE)
}))
write.csv(d, file.path(out, "chisq-missing.csv"), row.names = FALSE, quote = FALSE, na = "")
tab <- table(d$arm, d$response)
ct <- suppressWarnings(chisq.test(tab))
fi <- fisher.test(tab)
tabNA <- table(d$arm, d$response, useNA = "ifany")
ctNA <- suppressWarnings(chisq.test(tabNA))
writeLines(paste0("{",
  "\"dropped\":{\"statistic\":", num(ct$statistic), ",\"df\":", num(ct$parameter), ",\"p\":", num(ct$p.value),
  ",\"counts\":", arr(t(tab)), ",\"n\":", sum(tab), ",\"fisherP\":", num(fi$p.value), "}",
  ",\"kept\":{\"statistic\":", num(ctNA$statistic), ",\"df\":", num(ctNA$parameter), ",\"p\":", num(ctNA$p.value),
  ",\"n\":", sum(tabNA), "}",
  ",\"rows\":[\"drug\",\"placebo\"],\"cols\":[\"complete\",\"none\",\"partial\"]",
  ",\"smallExpected\":", sum(ct$expected < 5), ",\"smallExpectedKept\":", sum(ctNA$expected < 5),
  "}"), file.path(out, "chisq-missing.json"))
