# R's t.test one-sided (two samples, Welch and pooled) and paired (per-row differences of two columns), on the
# committed cohort. Run from the repository root:  Rscript packages/stats/scripts/make-ttest-expect-fixture.R
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "packages/stats/fixtures"
d <- read.csv(file.path(out, "cohort.csv"), stringsAsFactors = FALSE)
num <- function(x) if (is.infinite(x)) (if (x > 0) "\"Infinity\"" else "\"-Infinity\"") else sprintf("%.17g", x)
tt <- function(name, t, args) sprintf(
  "{\"name\":\"%s\",%s,\"statistic\":%s,\"df\":%s,\"p\":%s,\"ciLower\":%s,\"ciUpper\":%s,\"estimate\":%s}",
  name, args, num(t$statistic[[1]]), num(t$parameter[[1]]), num(t$p.value), num(t$conf.int[1]), num(t$conf.int[2]),
  num(if (length(t$estimate) == 2) t$estimate[[1]] - t$estimate[[2]] else t$estimate[[1]]))
cases <- c(
  tt("welchGreater", t.test(age ~ sex, data = d, alternative = "greater"),
    "\"column\":\"age\",\"group\":\"sex\",\"pooled\":false,\"alternative\":\"greater\",\"mu\":0,\"confLevel\":0.95"),
  tt("pooledLessMu", t.test(age ~ sex, data = d, alternative = "less", var.equal = TRUE, mu = -1, conf.level = 0.9),
    "\"column\":\"age\",\"group\":\"sex\",\"pooled\":true,\"alternative\":\"less\",\"mu\":-1,\"confLevel\":0.9"),
  tt("paired", t.test(d$dose_gy, d$age, paired = TRUE),
    "\"column\":\"dose_gy\",\"pairedWith\":\"age\",\"alternative\":\"two.sided\",\"mu\":0,\"confLevel\":0.95"),
  tt("pairedLess", t.test(d$dose_gy, d$age, paired = TRUE, alternative = "less", mu = 1),
    "\"column\":\"dose_gy\",\"pairedWith\":\"age\",\"alternative\":\"less\",\"mu\":1,\"confLevel\":0.95"))
writeLines(paste0("{\"cases\":[", paste(cases, collapse = ","), "]}"), file.path(out, "ttest-expect.json"))
