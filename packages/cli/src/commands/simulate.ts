/**
 * `fedhub simulate`: a hub and one node per data file, in this process on loopback; runs one task, prints
 * the result, stops everything. How a researcher tries an analysis on local files before a real study.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { HubConfigInput, RunningHub } from '@fedhub/hub';
import type { DatasetStore } from '@fedhub/node/datasets';
import type { FedhubNode } from '@fedhub/node/runtime';
// Statically only what the files' loading needs anyway (the protocol) and the --params parser: the SDK, the
// federation setup, the logger, progress and result formatting are imported once the files are loading
// (startup-imports.int.test.ts checks it).
import { type ColumnSpec, FedhubError, type Json } from '@fedhub/protocol';
import type { Command } from 'commander';
import { parseParams } from '../params-option.js';

export interface SimulateOptions {
  data: Array<{ name: string; file: string }>;
  algorithm: string;
  params: Json;
  dataset?: string;
  policy?: { minCellCount?: number; minSubsetSize?: number };
  logLevel?: string;
  quiet?: boolean;
}

function parseDataOption(values: string[]): Array<{ name: string; file: string }> {
  return values.map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1)
      throw new FedhubError(
        'FH_ERR_BAD_PARAMS',
        `--data "${v}": expected NAME=FILE, e.g. --data hospital-a=a.csv`,
      );
    return { name: v.slice(0, eq), file: resolve(v.slice(eq + 1)) };
  });
}

/** Runs the simulation and returns the finished task. */
export async function simulate(opts: SimulateOptions) {
  if (opts.data.length === 0)
    throw new FedhubError('FH_ERR_BAD_PARAMS', 'give at least one --data NAME=FILE');
  const dataset = opts.dataset ?? 'data';
  const params = (
    opts.params &&
    typeof opts.params === 'object' &&
    !Array.isArray(opts.params) &&
    !('dataset' in opts.params)
      ? { ...opts.params, dataset }
      : opts.params
  ) as Json;
  const level = opts.logLevel ?? 'warn';
  // Only the dataset store is imported first: the files start loading (DuckDB threads, each parsed once, its
  // dictionary inferred as it loads) while this thread imports the hub and the node and starts the hub.
  // Every promise is awaited below; the catches only keep a rejection from going unhandled.
  const { DatasetStore } = await import('@fedhub/node/datasets');
  const work = mkdtempSync(join(tmpdir(), 'fedhub-simulate-'));
  const nodes: FedhubNode[] = [];
  const stores: Array<Promise<DatasetStore>> = opts.data.map((d, i) =>
    DatasetStore.open(
      [
        {
          name: dataset,
          description: basename(d.file),
          file: d.file,
          format: d.file.toLowerCase().endsWith('.parquet') ? 'parquet' : 'csv',
          columns: 'infer',
          onInvalid: 'reject',
        },
      ],
      // the simulated nodes share this machine's cores: DuckDB threads split among them
      {
        derivedDir: join(work, `node-${i}`, 'derived'),
        threads: Math.max(1, Math.floor(availableParallelism() / opts.data.length)),
      },
    ),
  );
  // each file's value ranges (for the shared dictionary) read as soon as it is loaded, while the larger
  // files still load; the store keeps them for widenDictionary's check
  const ranges = stores.map((p) => p.then((st) => st.valueRanges(dataset)));
  for (const p of [...stores, ...ranges]) p.catch(() => {});
  // One pool of worker threads for the model partials of every simulated node (the nodes share this
  // process's cores); its threads start with the first partial, so analyses without one start none.
  const { createRowPool, defaultRowPoolWorkerUrl } = await import('@fedhub/stats');
  const workerUrl = defaultRowPoolWorkerUrl();
  const rowPool = workerUrl
    ? createRowPool({ size: availableParallelism(), workerUrl, lazy: true })
    : undefined;
  // once started, each node owns (and closes) its store
  let started = false;
  let hub: RunningHub | undefined;
  try {
    const [
      { loadHubConfig, startEphemeralHub },
      { createNode, parseNodeConfig },
      { HubClient },
      { createFederation, waitForNodesOnline },
      { createLogger },
      { watchTask },
      { resolveOnnxModelParams },
    ] = await Promise.all([
      import('@fedhub/hub'),
      import('@fedhub/node/runtime'),
      import('@fedhub/sdk'),
      import('@fedhub/testkit/federation-setup'),
      import('../logger.js'),
      import('../task-progress.js'),
      import('./model-onnx.js'),
    ]);
    const hubConfig = loadHubConfig(
      {},
      // all simulated nodes enrol from 127.0.0.1: the per-IP login/enrolment limit would throttle large
      // simulations
      {
        dataDir: join(work, 'hub'),
        port: 0,
        host: '127.0.0.1',
        logLevel: level as HubConfigInput['logLevel'],
        loginRateLimitPerMinute: 100_000,
        // nobody browses this throwaway hub (its address is not printed): no /docs, no swagger plugins loaded
        apiDocs: false,
      },
    );
    // no dashboard: nobody is told this throwaway hub's address or admin password, so nothing could use it
    // (and the static-file plugin is not loaded); its database lives in memory, set up and served from one
    // connection (nothing written, closed and opened again)
    const ephemeral = await startEphemeralHub(hubConfig, {
      username: 'simulate-admin',
      organisation: 'Simulation hub',
      log: createLogger(level, 'hub'),
    });
    hub = ephemeral.hub;
    const admin = ephemeral.admin;
    const client = new HubClient({ baseUrl: hub.url, token: admin.apiToken });
    const fed = await createFederation(
      client,
      opts.data.map((d) => ({ name: d.name })),
      'Simulation',
    );
    // one dictionary for every simulated node (levels and ranges come from the dictionary, and masked
    // vectors only sum over one layout): each file's inferred levels united, ranges from the files' own
    // values, which are all the user's
    const opened = await Promise.all(stores);
    const shared = sharedDictionary(opened, dataset, await Promise.all(ranges));
    // each store checks the wider dictionary against its ranges (read above, kept by the store)
    await Promise.all(opened.map((st) => st.widenDictionary(dataset, shared)));
    const dictionaries = opened.map(() => shared);
    if (!opts.quiet && opts.data.length > 1)
      process.stderr.write(
        'simulate: one dictionary for all files: categorical levels united, numeric ranges from the files (your own data)\n',
      );
    const floors = simulationFloors(opts.data.length);
    if (floors.lowered && !opts.quiet) process.stderr.write(`${floors.notice}\n`);
    for (const [i, d] of opts.data.entries()) {
      const config = parseNodeConfig(
        {
          hub: { url: hub.url, enrolmentToken: fed.nodes[i]!.enrolmentToken },
          dataDir: join(work, `node-${i}`),
          datasets: [
            {
              name: dataset,
              file: d.file,
              description: basename(d.file),
              dictionary: { columns: dictionaries[i] },
            },
          ],
          policy: {
            ...(opts.policy ?? {}),
            minNodes: floors.minNodes,
            minOrganisations: floors.minOrganisations,
          },
          claimWaitMs: 20000,
          log: { level },
        },
        work,
        `--data ${d.name}`,
      );
      nodes.push(
        createNode({
          config,
          log: createLogger(level, `node:${d.name}`),
          datasets: stores[i],
          ...(rowPool ? { rowPool } : {}),
          // throwaway nodes: the ledger's row identities need not outlive the process
          ledgerRowIdentity: 'in-memory',
        }),
      );
    }
    started = true;
    await Promise.all(nodes.map((n) => n.start()));
    await waitForNodesOnline(client, fed.collaboration.id, nodes.length);
    const study = await client.createStudy({
      collaborationId: fed.collaboration.id,
      title: `Simulation of ${opts.algorithm}`,
      purpose: 'Trying an analysis on local files',
      // a local trial: every file is the user's own, whatever their number
      minNodes: 1,
    });
    // an ONNX model given as a file path is registered in this throwaway hub first
    const resolved = await resolveOnnxModelParams(client, params, {
      allowFile: true,
      collaborationId: fed.collaboration.id,
    });
    const task = await client.createTask({ studyId: study.id, algorithm: opts.algorithm, params: resolved });
    return await watchTask(client, task.id, { quiet: opts.quiet });
  } finally {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    if (!started) {
      // no query may run on a store being closed
      await Promise.allSettled(ranges);
      await Promise.allSettled(stores.map(async (p) => (await p).close()));
    }
    // the hub and the worker pool close at once (the nodes no longer use either); the folder is removed
    // whatever happens
    try {
      await Promise.all([hub?.close(), rowPool?.close()]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

/** The simulated nodes' common dictionary: levels united, min/max over every file's values (`ranges`). */
function sharedDictionary(
  stores: DatasetStore[],
  dataset: string,
  ranges: Array<Record<string, { min: number; max: number }>>,
): ColumnSpec[] {
  const dicts = stores.map((st) => st.get(dataset).dictionary.columns);
  return dicts[0]!.map((first) => {
    let c: ColumnSpec = first;
    const same = dicts.map((d) => d.find((x) => x.name === c.name));
    const numericLike = (t: string | undefined) => t === 'numeric' || t === 'integer';
    // whole numbers in one file, fractions in another: numeric in all
    if (
      numericLike(c.type) &&
      same.every((x) => numericLike(x?.type)) &&
      same.some((x) => x!.type === 'numeric')
    )
      c = { ...c, type: 'numeric' };
    else if (same.some((x) => !x || x.type !== c.type))
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `column "${c.name}" differs between the files (absent or of another type): simulate needs files of one layout`,
      );
    if (c.type === 'categorical') {
      if (same.some((x) => x!.identifier === true || !x!.levels)) {
        const { levels: _l, ...rest } = c;
        return { ...rest, identifier: true };
      }
      return { ...c, levels: [...new Set(same.flatMap((x) => x!.levels ?? []))].sort() };
    }
    if (c.type === 'numeric' || c.type === 'integer') {
      const rs = ranges
        .map((r) => r[c.name])
        .filter((r): r is { min: number; max: number } => r !== undefined);
      if (rs.length === 0) return c;
      const min = Math.min(...rs.map((r) => r.min));
      const max = Math.max(...rs.map((r) => r.max));
      return {
        ...c,
        min: c.type === 'integer' ? Math.floor(min) : min,
        max: c.type === 'integer' ? Math.ceil(max) : max,
      };
    }
    return c;
  });
}

/**
 * The node floors of the throwaway federation. A real node computes only in rounds of at least 3 nodes of
 * 3 organisations; here every file is the user's own, on this machine, and each file is a node of its own
 * organisation, so with fewer than 3 files the floor is lowered to the number of files, and said so.
 */
export function simulationFloors(files: number): {
  minNodes: number;
  minOrganisations: number;
  lowered: boolean;
  notice: string;
} {
  const n = Math.max(1, Math.min(3, files));
  return {
    minNodes: n,
    minOrganisations: n,
    lowered: n < 3,
    notice: `simulate: ${files} file(s), all yours on this machine: the simulated nodes' floors are lowered to ${n} node(s) of ${n} organisation(s) per round (a real node requires at least 3 nodes of 3 organisations by default)`,
  };
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('start a hub and one node per data file on loopback, run one task, print the result, stop')
    .requiredOption('--data <NAME=FILE...>', 'a node and its CSV/Parquet file (repeat per node)')
    .requiredOption('--algorithm <name>', 'algorithm to run')
    .requiredOption(
      '--params <json>',
      'algorithm parameters as JSON (or @file.json); "dataset" defaults to the simulated dataset',
    )
    .option('--dataset <name>', 'dataset name the nodes serve', 'data')
    .option('--min-cell <n>', 'minimum cell count at every node', (v) => Number(v))
    .option('--min-subset <n>', 'minimum subset size at every node', (v) => Number(v))
    .option('--log-level <level>', 'hub and node log level', 'warn')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: {
        data: string[];
        algorithm: string;
        params: string;
        dataset: string;
        minCell?: number;
        minSubset?: number;
        logLevel: string;
        json?: boolean;
      }) => {
        const policy = {
          ...(opts.minCell ? { minCellCount: opts.minCell } : {}),
          ...(opts.minSubset ? { minSubsetSize: opts.minSubset } : {}),
        };
        const done = await simulate({
          data: parseDataOption(opts.data),
          algorithm: opts.algorithm,
          params: await parseParams(opts.params),
          dataset: opts.dataset,
          policy,
          logLevel: opts.logLevel,
          quiet: opts.json,
        });
        if (opts.json) (await import('../output.js')).printJson(done);
        else process.stdout.write(`${(await import('../format-result.js')).formatTaskOutcome(done)}\n`);
        if (done.status !== 'completed') process.exitCode = 2;
      },
    );
}
