#!/usr/bin/env node
// `npm run bench`: measures and prints figures (they are not tests). Federation round trips on loopback:
//  1. `summary` over 3 nodes x 100k rows: round-trip median and p95, beside the nodes' own compute measured
//     in the same process, so the platform's overhead is the difference;
//  2. a `ping` task (no data) over 100 simulated nodes;
//  `reliability` (only by name): the long variants of the reliability tests (docs/reliability.md).
// Other packages add their own benchmarks under packages/*/scripts/*-bench.mjs; this script runs them too
// (e.g. `npm run bench -- auditor`: the privacy ledger's exact query auditor, packages/node/scripts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getAlgorithm } from '@fedhub/algorithms';
import { initHub, loadHubConfig, startHub } from '@fedhub/hub';
import { createNode, DatasetStore, executeRun, parseNodeConfig } from '@fedhub/node';
import { HubClient } from '@fedhub/sdk';
import { COHORT_DICTIONARY, DEMO_CENTRES, generateCohort, toCsv } from '@fedhub/testkit';
import { pino } from 'pino';

const root = fileURLToPath(new URL('..', import.meta.url));
const quiet = pino({ level: 'silent' });
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0], max: s.at(-1) };
}
const fmt = (x) => `${x.toFixed(1)} ms`;

async function federation(work, datasetsPerNode, { leaseMs = 30000 } = {}) {
  const config = loadHubConfig(
    {},
    // every simulated node enrols from 127.0.0.1: lift the per-IP login/enrolment limit for the bench
    {
      dataDir: join(work, 'hub'),
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      leaseMs,
      loginRateLimitPerMinute: 100_000,
    },
  );
  const admin = await initHub(config, { username: 'bench', organisation: 'Bench hub' });
  const hub = await startHub(config, { log: quiet });
  const client = await HubClient.login(hub.url, admin.username, admin.password);
  const orgs = [];
  for (let i = 0; i < datasetsPerNode.length; i++)
    orgs.push(await client.createOrganisation({ name: `Centre ${i}` }));
  const collab = await client.createCollaboration({ name: 'Bench', organisationIds: orgs.map((o) => o.id) });
  const nodes = [];
  for (const [i, datasets] of datasetsPerNode.entries()) {
    const created = await client.createNode({
      collaborationId: collab.id,
      organisationId: orgs[i].id,
      name: `Centre ${i}`,
    });
    const cfg = parseNodeConfig(
      {
        hub: { url: hub.url, enrolmentToken: created.enrolmentToken },
        dataDir: join(work, `node-${i}`),
        datasets,
        claimWaitMs: 20000,
        log: { level: 'silent' },
      },
      work,
    );
    const node = createNode({ config: cfg, log: quiet });
    await node.start();
    nodes.push(node);
  }
  const study = await client.createStudy({
    collaborationId: collab.id,
    title: 'Benchmark study',
    purpose: 'Measuring round trips',
  });
  return {
    client,
    study,
    async close() {
      await Promise.allSettled(nodes.map((n) => n.stop()));
      await hub.close();
    },
  };
}

async function timeTasks(fed, algorithm, params, runs, warmup = 2) {
  const times = [];
  for (let i = 0; i < runs + warmup; i++) {
    const t0 = performance.now();
    const task = await fed.client.createTask({ studyId: fed.study.id, algorithm, params });
    const done = await fed.client.waitForTask(task.id);
    const t1 = performance.now();
    if (done.status !== 'completed')
      throw new Error(`${algorithm} task ${done.status}: ${JSON.stringify(done.error)}`);
    if (i >= warmup) times.push(t1 - t0);
  }
  return stats(times);
}

async function benchSummary() {
  const work = mkdtempSync(join(tmpdir(), 'fedhub-bench-'));
  try {
    const rows = 100_000;
    const declared = DEMO_CENTRES.map((c, i) => {
      const file = join(work, `centre-${i}.csv`);
      writeFileSync(file, toCsv(generateCohort(c, rows, 42 + i)));
      return [{ name: 'cohort', file, dictionary: { columns: COHORT_DICTIONARY } }];
    });
    const params = {
      dataset: 'cohort',
      columns: ['age', 'dose_gy', 'bmi'],
      bins: { age: { breaks: [18, 40, 50, 60, 70, 80, 100.5] } },
    };
    // the nodes' own compute, in this process, on the same files
    const alg = getAlgorithm('summary');
    const store = await DatasetStore.open(
      parseNodeConfig({ hub: { url: 'http://127.0.0.1:1' }, datasets: declared[0] }, work).resolvedDatasets,
    );
    const local = [];
    for (let i = 0; i < 12; i++) {
      const t0 = performance.now();
      const o = await executeRun(
        {
          runId: crypto.randomUUID(),
          taskId: crypto.randomUUID(),
          studyId: crypto.randomUUID(),
          algorithm: alg.name,
          version: alg.version,
          digest: alg.digest,
          params,
          round: 1,
          attempt: 1,
          input: null,
          leaseExpiresAt: new Date().toISOString(),
          leaseMs: 30000,
          peers: [],
        },
        {
          node: { id: 'x', name: 'x' },
          policy: { minCellCount: 5, minSubsetSize: 10, maxParameterRatio: 0.33, minResidualDf: 10 },
          datasets: store,
        },
      );
      if (o.outcome !== 'completed') throw new Error(JSON.stringify(o.error));
      if (i >= 2) local.push(performance.now() - t0);
    }
    store.close();
    const fed = await federation(work, declared);
    try {
      const rt = await timeTasks(fed, 'summary', params, 30);
      const compute = stats(local);
      console.log(`summary, 3 nodes x ${rows.toLocaleString('en')} rows, ${rt.n} tasks:`);
      console.log(
        `  round trip      median ${fmt(rt.median)}  p95 ${fmt(rt.p95)}  (min ${fmt(rt.min)}, max ${fmt(rt.max)})`,
      );
      console.log(
        `  node compute    median ${fmt(compute.median)}  p95 ${fmt(compute.p95)}  (one node, same process; nodes run in parallel)`,
      );
      console.log(
        `  platform overhead (round trip - node compute), median: ${fmt(rt.median - compute.median)}  (target < 300 ms)`,
      );
    } finally {
      await fed.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function benchPing() {
  const work = mkdtempSync(join(tmpdir(), 'fedhub-bench-'));
  try {
    const n = 100;
    const t0 = performance.now();
    const fed = await federation(
      work,
      Array.from({ length: n }, () => []),
    );
    const setup = performance.now() - t0;
    try {
      const rt = await timeTasks(fed, 'ping', {}, 20);
      console.log(
        `ping (no data), ${n} nodes in one process, ${rt.n} tasks (set-up and enrolment of ${n} nodes: ${(setup / 1000).toFixed(1)} s):`,
      );
      console.log(
        `  round trip      median ${fmt(rt.median)}  p95 ${fmt(rt.p95)}  (min ${fmt(rt.min)}, max ${fmt(rt.max)})`,
      );
    } finally {
      await fed.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A model on 1M rows over 3 nodes end to end through `fedhub simulate`, beside R on the pooled CSV: split evenly
 * (333k each) and unevenly (500k / 333k / 167k: one big centre, whose partials every round waits for).
 * `FEDHUB_BENCH_SPLITS=uneven` (or `even`) runs one of them.
 */
async function benchModels() {
  const splits = [
    { name: 'even', rows: [333_334, 333_334, 333_334] },
    { name: 'uneven', rows: [500_000, 333_333, 166_667] },
  ].filter(
    (s) => !process.env.FEDHUB_BENCH_SPLITS || process.env.FEDHUB_BENCH_SPLITS.split(',').includes(s.name),
  );
  for (const split of splits) await benchModelsSplit(split);
}

async function benchModelsSplit(split) {
  const work = mkdtempSync(join(tmpdir(), 'fedhub-bench-models-'));
  try {
    const total = split.rows.reduce((a, b) => a + b, 0);
    const files = DEMO_CENTRES.slice(0, 3).map((c, i) => {
      const file = join(work, `centre-${i}.csv`);
      writeFileSync(file, toCsv(generateCohort(c, split.rows[i], 900 + i)));
      return file;
    });
    const pooled = join(work, 'pooled.csv');
    writeFileSync(
      pooled,
      files
        .map((f, i) =>
          readFileSync(f, 'utf8')
            .split('\n')
            .slice(i === 0 ? 0 : 1)
            .join('\n'),
        )
        .join(''),
    );
    const bin = join(root, 'packages/cli/bin/fedhub.js');
    const models = [
      {
        name: 'glm binomial, 10 coefficients',
        algorithm: 'glm',
        params: {
          formula: 'toxicity ~ dose_gy + age + sex + stage + bmi + fractions + dose_gy:sex',
          family: 'binomial',
        },
        r: 'd <- read.csv(f); d$stage <- factor(d$stage); t1 <- proc.time()[[3]]; fit <- glm(toxicity ~ dose_gy + age + sex + stage + bmi + fractions + dose_gy:sex, family = binomial, data = d)',
      },
      {
        name: 'coxph Efron, 6 coefficients',
        algorithm: 'coxph',
        params: {
          formula: 'Surv(months, dead) ~ age + sex + stage + dose_gy',
          ties: 'efron',
          timeResolution: 1,
        },
        r: "library(survival); d <- read.csv(f); d$stage <- factor(d$stage); d$months <- ceiling(d$months); t1 <- proc.time()[[3]]; fit <- coxph(Surv(months, dead) ~ age + sex + stage + dose_gy, data = d, ties = 'efron')",
      },
    ];
    const hasR = (() => {
      try {
        execFileSync('Rscript', ['--version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    // Each side runs `runs` times, alternating (the machine's speed drifts; alternating exposes both sides to
    // the same drift), and the medians are compared. The data files were just written: flush them first so no
    // writeback competes with either side.
    const runs = Number(process.env.FEDHUB_BENCH_RUNS ?? 5);
    execFileSync('sync');
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    // FEDHUB_BENCH_MODELS=glm (or coxph) runs one of the models
    const onlyModels = process.env.FEDHUB_BENCH_MODELS?.split(',');
    for (const m of models.filter((x) => !onlyModels || onlyModels.includes(x.algorithm))) {
      const args = [
        bin,
        'simulate',
        ...files.flatMap((f, i) => ['--data', `centre-${i}=${f}`]),
        '--algorithm',
        m.algorithm,
        '--params',
        JSON.stringify(m.params),
        '--json',
      ];
      const fedTimes = [];
      const rTimes = [];
      let rounds = 0;
      const rParts = [];
      for (let k = 0; k < runs; k++) {
        const t0 = performance.now();
        const out = execFileSync(process.execPath, args, { maxBuffer: 256 * 1024 * 1024 }).toString();
        fedTimes.push((performance.now() - t0) / 1000);
        const task = JSON.parse(out);
        if (task.status !== 'completed') throw new Error(`${m.name}: ${JSON.stringify(task.error)}`);
        rounds = task.runs.length / 3;
        if (hasR) {
          const script = `f <- '${pooled}'; t0 <- proc.time()[[3]]; ${m.r}; t2 <- proc.time()[[3]]; cat(t1 - t0, t2 - t1, "\\n")`;
          const t0r = performance.now();
          rParts.push(execFileSync('Rscript', ['-e', script]).toString().trim().split(/\s+/).map(Number));
          rTimes.push((performance.now() - t0r) / 1000);
        }
      }
      const fed = median(fedTimes);
      console.log(
        `${m.name} on ${total.toLocaleString('en')} rows over 3 nodes (${split.name}: ${split.rows.map((r) => r.toLocaleString('en')).join(' / ')}), end to end through fedhub simulate: median ${fed.toFixed(2)} s of ${runs} (${fedTimes.map((t) => t.toFixed(2)).join(', ')}; ${rounds} rounds)`,
      );
      if (hasR) {
        const rWall = median(rTimes);
        const read = median(rParts.map((x) => x[0]));
        const fit = median(rParts.map((x) => x[1]));
        console.log(
          `  R (read.csv ${read.toFixed(1)} s + fit ${fit.toFixed(1)} s), whole Rscript median ${rWall.toFixed(2)} s (${rTimes.map((t) => t.toFixed(2)).join(', ')}); fedhub / R = ${(fed / rWall).toFixed(2)} (target <= 0.5)`,
        );
      } else console.log('  (Rscript not installed: no R reference in this run; the ratio to R is skipped)');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (want('summary')) await benchSummary();
if (want('ping')) await benchPing();
if (want('models')) await benchModels();

// Long reliability runs, only when asked for by name (`npm run bench -- reliability`): the reliability
// tests of packages/cli/src/reliability with their CI sizes scaled up: a 10-minute memory soak under load,
// a 5-minute partition, 10,000 tasks over two hub processes on PostgreSQL. Figures are printed by the tests.
if (only.includes('reliability')) {
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  try {
    execFileSync(
      process.execPath,
      [vitest, 'run', 'packages/cli/src/reliability/', '--reporter=verbose', '--silent=false'],
      {
        stdio: 'inherit',
        cwd: root,
        env: {
          ...process.env,
          FEDHUB_LOAD_SOAK_MS: process.env.FEDHUB_LOAD_SOAK_MS ?? '600000',
          FEDHUB_FAULT_PARTITION_MS: process.env.FEDHUB_FAULT_PARTITION_MS ?? '300000',
          FEDHUB_SCALEOUT_TASKS: process.env.FEDHUB_SCALEOUT_TASKS ?? '10000',
        },
      },
    );
  } catch (err) {
    console.log(`  reliability runs failed: ${err.message}`);
    process.exitCode = 1;
  }
}

// Package benchmarks (DICOM, dose, radiomics, statistics) live beside their packages.
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', pkg, 'scripts');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)
    .filter((f) => /bench\.mjs$/.test(f))
    .sort()) {
    const name = `${pkg}/${f}`;
    // by package, by file, or by the file's short name (`npm run bench -- auditor`)
    const short = f.replace(/-bench\.mjs$/, '');
    if (only.length > 0 && !only.includes(name) && !only.includes(pkg) && !only.includes(short)) continue;
    console.log(`\n== ${name}`);
    try {
      execFileSync(process.execPath, [join(dir, f)], { stdio: 'inherit', cwd: root });
    } catch (err) {
      console.log(`  ${name} failed: ${err.message}`);
      process.exitCode = 1;
    }
  }
}
