/**
 * Every fedhub command of README.md, run as written, in order, against a fresh demo federation (a hub and
 * three node processes started by `fedhub demo` in a temporary folder, which is also the commands' working
 * folder). Blocks marked `<!-- readme-test: skip (reason) -->` are counted, not run. The README's
 * placeholders for a real deployment (the hub's address and data folders, `node.yaml`, and the ids
 * `<collab>`, `<orgA>`, `<study>`, ... and `--study S`) are replaced by the demo federation's; shell variables
 * that a command assigns (`STUDY=$(...)`) are kept for the commands after it. One demo hospital approves
 * by hand: the test stands in for its node administrator, approving each run it holds with the account and
 * key file the demo prints (signed and relayed by the hub, as from the dashboard's inbox).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { signAdminStatement } from '@fedhub/crypto';
import { HubClient } from '@fedhub/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEDHUB_BIN } from './child-process.js';
import { readmeBlocks } from './readme-blocks.js';

const exec = promisify(execFile);
const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'fedhub-readme-'));
const STATE = join(work, '.readme-state.sh');
let demo: ChildProcess | undefined;
const fed = {
  hubUrl: '',
  password: '',
  study: '',
  collab: '',
  orgs: [] as string[],
  node: '',
  spareNode: '',
  user: '',
  createdStudy: '',
  glmTask: '',
  drlTask: '',
};

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FEDHUB_SESSION_FILE: join(work, 'session.json'),
    FEDHUB_PASSWORD: fed.password,
    FEDHUB_BIN,
    STATE,
    NO_COLOR: '1',
  };
}

async function fedhub(args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, [FEDHUB_BIN, ...args], { cwd: work, env: env() });
  return stdout;
}

/** Starts `fedhub demo` (kept running) and resolves once it has run its analyses. */
function startDemo(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FEDHUB_BIN, 'demo', '--dir', '.fedhub-demo', '--port', '0'], {
      cwd: work,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo = child;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Press Ctrl+C to stop.')) resolve(out);
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`fedhub demo exited (${code}) before it was ready:\n${out}`)),
    );
  });
}

/**
 * The node administrator of the demo's hand-approving hospital, as the demo prints it, approving every run
 * its node holds (once per hold) until stopped; returns the stop, which resolves with what went wrong.
 */
function approveHeldRuns(out: string): () => Promise<string[]> {
  const m = /^ {2}(.+) \(manual\): user (\S+), password (\S+), key file (.+)$/m.exec(out);
  if (!m) throw new Error(`fedhub demo printed no hand-approving hospital's administrator:\n${out}`);
  const [, nodeName, username, password, keyFile] = m as unknown as [string, string, string, string, string];
  const key = readFileSync(keyFile, 'utf8');
  const problems: string[] = [];
  let stopped = false;
  const loop = (async () => {
    const as = await HubClient.login(fed.hubUrl, username, password);
    const node = (await as.listNodes(fed.collab)).find((n) => n.name === nodeName)!;
    const decided = new Set<string>();
    while (!stopped) {
      try {
        for (const p of (await as.nodeApprovals(node.id)).pending) {
          if (decided.has(`${p.runId}@${p.since}`)) continue;
          decided.add(`${p.runId}@${p.since}`);
          const body = {
            studyId: p.studyId,
            decision: 'approve' as const,
            algorithm: p.algorithm,
            version: p.version,
          };
          const adminSignature = signAdminStatement(key, username, node.id, body);
          await as.decideApproval(node.id, { ...body, adminSignature });
        }
      } catch (err) {
        problems.push(String(err));
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return problems;
  };
}
let stopApproving: (() => Promise<string[]>) | undefined;

/** The README's stand-ins for a real deployment, replaced by the demo federation's values. */
function substitute(text: string): string {
  const pairs: Array<[RegExp, string]> = [
    [/https:\/\/hub\.example\.org/g, fed.hubUrl],
    [/\/var\/lib\/fedhub-node/g, join(work, '.fedhub-demo/data/hospital-a/node-data')],
    [/\/var\/lib\/fedhub/g, join(work, 'hub-data')],
    [/<collab>/g, fed.collab],
    [/<orgA>/g, fed.orgs[0]!],
    [/<orgB>/g, fed.orgs[1]!],
    [/<orgC>/g, fed.orgs[2]!],
    [/<study>/g, fed.study],
    [/<other study>/g, fed.createdStudy || fed.study],
    [/--study S\b/g, `--study ${fed.study}`],
    [/<node>/g, fed.node],
    [/<revoked node>/g, fed.spareNode],
    [/<user>/g, fed.user],
    [/<glm task>/g, fed.glmTask],
    [/<drl-survey task>/g, fed.drlTask],
  ];
  return pairs.reduce((t, [re, v]) => t.replace(re, v), text);
}

const PRELUDE = [
  'set -o pipefail',
  'fedhub() { node "$FEDHUB_BIN" "$@"; }',
  'npx() { if [ "$1" = fedhub ]; then shift; node "$FEDHUB_BIN" "$@"; else command npx "$@"; fi; }',
  '[ -f "$STATE" ] && . "$STATE"',
].join('\n');

async function runCommand(text: string): Promise<{ code: number; output: string }> {
  const assigned = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(text)?.[1];
  const keep = assigned ? `\nrc=$?; printf '%s=%q\\n' ${assigned} "$${assigned}" >> "$STATE"; exit $rc` : '';
  try {
    const { stdout, stderr } = await exec('bash', ['-c', `${PRELUDE}\n${text}${keep}`], {
      cwd: work,
      env: env(),
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
    return { code: e.killed ? 124 : (e.code ?? 1), output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

beforeAll(async () => {
  const out = await startDemo();
  fed.hubUrl = /hub running at (\S+)/.exec(out)![1]!;
  fed.password = /\(password: (\S+?)\)$/m.exec(out)![1]!;
  fed.study = /^Study: (\S+)/m.exec(out)![1]!;
  await fedhub(['login', '--hub', fed.hubUrl, '--username', 'admin']);
  const collabs = JSON.parse(await fedhub(['collab', 'list', '--json'])) as Array<{
    id: string;
    organisationIds: string[];
  }>;
  fed.collab = collabs[0]!.id;
  fed.orgs = collabs[0]!.organisationIds;
  stopApproving = approveHeldRuns(out);
  const tasks = JSON.parse(await fedhub(['task', 'list', '--study', fed.study, '--json'])) as Array<{
    id: string;
    algorithm: string;
  }>;
  fed.glmTask = tasks.find((t) => t.algorithm === 'glm')!.id;
  fed.drlTask = tasks.find((t) => t.algorithm === 'drl-survey')!.id;
  // the access commands revoke a user and a node of their own, not the demo's administrator or nodes
  fed.user = (
    JSON.parse(
      await fedhub(['user', 'create', 'leaver', '--org', fed.orgs[0]!, '--roles', 'researcher', '--json']),
    ) as { id: string }
  ).id;
  const nodes = await (await HubClient.login(fed.hubUrl, 'admin', fed.password)).listNodes(fed.collab);
  const hospitalA = nodes.find((n) => n.name === 'Hospital A')!;
  fed.node = hospitalA.id;
  // the node admin who signs decisions away from the node: a hub account of Hospital A's organisation
  await fedhub(['user', 'create', 'alice', '--org', hospitalA.organisationId, '--roles', 'node-admin']);
  fed.spareNode = (
    JSON.parse(
      await fedhub([
        'node',
        'register',
        '--collab',
        fed.collab,
        '--org',
        fed.orgs[1]!,
        '--name',
        'Hospital B spare',
        '--json',
      ]),
    ) as { node: { id: string } }
  ).node.id;
  // the node admin commands run as Hospital A's administrator, on its node.yaml
  copyFileSync(join(work, '.fedhub-demo/data/hospital-a/node.yaml'), join(work, 'node.yaml'));
}, 240_000);

afterAll(async () => {
  await stopApproving?.();
  if (demo && demo.exitCode === null) {
    const exited = new Promise((r) => demo!.once('exit', r));
    demo.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  // FEDHUB_KEEP_README_WORK=1 keeps the folder (the demo's hub and node logs) for a failure's post-mortem
  if (process.env.FEDHUB_KEEP_README_WORK) process.stdout.write(`README test folder kept: ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
});

describe('README.md', () => {
  it('runs every fedhub command block as written', async () => {
    const blocks = readmeBlocks(readFileSync(README, 'utf8'));
    const failures: string[] = [];
    const times: string[] = [];
    const tally = { blocks: 0, commands: 0, skippedBlocks: 0, skippedCommands: 0 };
    for (const block of blocks) {
      if (block.skip) {
        tally.skippedBlocks++;
        tally.skippedCommands += block.commands.length;
        continue;
      }
      tally.blocks++;
      for (const cmd of block.commands) {
        const text = substitute(cmd.text);
        tally.commands++;
        const unresolved = /<[a-z][^<>\n]*>/i.exec(text.replace(/'[^']*'/g, ''));
        if (unresolved) {
          failures.push(`README.md:${cmd.line}: unknown placeholder ${unresolved[0]} in\n$ ${cmd.text}`);
          continue;
        }
        const started = Date.now();
        const r = await runCommand(text);
        // ids printed by a command stand for the placeholders of the commands after it
        const created = /^study "[^"]*": ([0-9a-f-]{36})/m.exec(r.output)?.[1];
        if (created) fed.createdStudy = created;
        times.push(`${((Date.now() - started) / 1000).toFixed(1)} s  README.md:${cmd.line}`);
        if (r.code !== 0)
          failures.push(
            `README.md:${cmd.line} (block at line ${block.line}) exited with ${r.code}:\n$ ${cmd.text}\n${r.output.slice(-4000)}`,
          );
      }
    }
    process.stdout.write(`${times.join('\n')}\n`);
    process.stdout.write(
      `README: ran ${tally.commands} commands in ${tally.blocks} blocks; skipped ${tally.skippedBlocks} blocks (${tally.skippedCommands} commands)\n`,
    );
    expect(tally.commands).toBeGreaterThan(0);
    if (stopApproving) failures.push(...(await stopApproving()).map((p) => `approving held runs: ${p}`));
    stopApproving = undefined;
    // every command runs even after one fails, so that one run lists every broken command
    expect(failures, failures.join('\n\n')).toEqual([]);
  }, 600_000);
});
