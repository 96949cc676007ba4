/**
 * `fedhub audit`: the hub's hash-chained audit trail (list, verify, export as JSON), and a node's own chain
 * (`fedhub audit verify --node-config node.yaml`), which a node keeps of what it ran, released and refused.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CheckpointExport,
  CheckpointStore,
  compareWithCheckpoints,
  loadNodeConfigFile,
  NodeAuditLog,
} from '@fedhub/node';
import { type AuditEvent, FedhubError } from '@fedhub/protocol';
import type { HubClient } from '@fedhub/sdk';
import type { Command } from 'commander';
import { printJson, table } from '../output.js';
import { clientFromEnvironment } from '../session.js';

type Global = { hub?: string; json?: boolean };

/** Every hub audit event in chain order. */
async function allEvents(client: HubClient): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await client.listAudit({ limit: 1000, offset });
    events.push(...page);
    if (page.length < 1000) return events;
  }
}

/** Checkpoints kept by a node: its data folder, or a file written by `fedhub audit checkpoints`. */
function loadCheckpoints(path: string): CheckpointExport {
  if (existsSync(path) && statSync(path).isDirectory()) {
    if (!existsSync(join(path, 'hub-checkpoints.sqlite')))
      throw new FedhubError('FH_ERR_VALIDATION', `${path} holds no hub checkpoints (hub-checkpoints.sqlite)`);
    const store = new CheckpointStore(path);
    try {
      return store.export();
    } finally {
      store.close();
    }
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CheckpointExport;
  } catch (err) {
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `cannot read checkpoints from ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('the tamper-evident audit trails of the hub and of a node');
  audit
    .command('verify')
    .description("re-compute the hub's audit chain (auditor), or a node's own chain with --node-config")
    .option('--node-config <file>', "verify this node's local chain instead (run at the node)")
    .option(
      '--checkpoints <path>',
      "also compare the hub's log with the signed checkpoints a node kept (its dataDir, or an exported file)",
    )
    .option('--hub <url>')
    .option('--json')
    .action(async (opts: Global & { nodeConfig?: string; checkpoints?: string }) => {
      if (opts.nodeConfig) {
        const log = new NodeAuditLog(loadNodeConfigFile(opts.nodeConfig).dataDir);
        try {
          const broken = log.verify();
          const count = log.entries().length;
          if (opts.json) printJson({ ok: broken === null, count, broken });
          else
            process.stdout.write(
              broken
                ? `node audit chain BROKEN at entry ${broken.index + 1}: ${broken.reason}\n`
                : `node audit chain verifies: ${count} entries\n`,
            );
          if (broken) process.exitCode = 2;
        } finally {
          log.close();
        }
        return;
      }
      const client = clientFromEnvironment(opts);
      const v = await client.verifyAudit();
      let checkpoints: { count: number; problems: string[] } | undefined;
      if (opts.checkpoints) {
        const saved = loadCheckpoints(opts.checkpoints);
        const events = await allEvents(client);
        const hashes = new Map(events.map((e) => [e.seq, e.hash]));
        const last = events.at(-1)?.seq ?? 0;
        checkpoints = {
          count: saved.checkpoints.length,
          problems: compareWithCheckpoints(saved, last, (seq) => hashes.get(seq)),
        };
      }
      const ok = v.ok && (checkpoints?.problems.length ?? 0) === 0;
      if (opts.json) printJson({ ...v, ok, chainOk: v.ok, ...(checkpoints ? { checkpoints } : {}) });
      else {
        process.stdout.write(
          v.ok
            ? `hub audit chain verifies: ${v.count} entries, head ${v.headHash}\n`
            : `hub audit chain BROKEN at entry ${v.broken?.seq}: ${v.broken?.reason}\n`,
        );
        if (checkpoints)
          process.stdout.write(
            checkpoints.problems.length === 0
              ? `consistent with ${checkpoints.count} checkpoint(s) kept at the node\n`
              : checkpoints.problems.map((p) => `${p}\n`).join(''),
          );
      }
      if (!ok) process.exitCode = 2;
    });
  audit
    .command('list')
    .description('audit events in chain order (auditor)')
    .option('--action <name>', 'only this action, e.g. task.submitted')
    .option('--limit <n>', 'how many', '100')
    .option('--offset <n>', 'from which entry', '0')
    .option('--hub <url>')
    .option('--json')
    .action(async (opts: Global & { action?: string; limit: string; offset: string }) => {
      const events = await clientFromEnvironment(opts).listAudit({
        limit: Number(opts.limit),
        offset: Number(opts.offset),
        ...(opts.action ? { action: opts.action } : {}),
      });
      if (opts.json) return printJson(events);
      process.stdout.write(
        `${table(
          ['seq', 'at', 'actor', 'action', 'object'],
          events.map((e) => [e.seq, e.at, e.actor, e.action, e.object ?? '']),
        )}\n`,
      );
    });
  audit
    .command('checkpoints')
    .description('write the hub checkpoints a node kept to a JSON file, for an auditor (run at the node)')
    .requiredOption('--node-config <file>', 'node configuration (YAML)')
    .requiredOption('--out <file>', 'output file')
    .action((opts: { nodeConfig: string; out: string }) => {
      const saved = loadCheckpoints(loadNodeConfigFile(opts.nodeConfig).dataDir);
      writeFileSync(opts.out, `${JSON.stringify(saved, null, 2)}\n`);
      process.stdout.write(`${saved.checkpoints.length} checkpoint(s) written to ${opts.out}\n`);
    });
  audit
    .command('export')
    .description(
      'write the hub audit trail and its verification to a JSON file (auditor); with --study, what an auditor needs for one study',
    )
    .requiredOption('--out <file>', 'output file')
    .option('--study <id>', 'only this study: its record, tasks, runs, results, approvals and audit entries')
    .option('--hub <url>')
    .action(async (opts: Global & { out: string; study?: string }) => {
      const client = clientFromEnvironment(opts);
      const events = await allEvents(client);
      const verification = await client.verifyAudit();
      if (opts.study) {
        const study = await client.getStudy(opts.study);
        const tasks = [];
        for (const t of await client.listTasks(study.id)) tasks.push(await client.getTask(t.id));
        const approvals = await client.studyApprovals(study.id);
        const objects = new Set([
          `study:${study.id}`,
          ...tasks.map((t) => `task:${t.id}`),
          ...tasks.flatMap((t) => t.runs.map((r) => `run:${r.id}`)),
        ]);
        const taskIds = new Set(tasks.map((t) => t.id));
        const decisionIds = new Set(approvals.decisions.map((d) => d.id));
        const entries = events.filter(
          (e) =>
            (e.object !== null && objects.has(e.object)) ||
            e.details.studyId === study.id ||
            taskIds.has(String(e.details.taskId)) ||
            decisionIds.has(String(e.details.decisionId)),
        );
        const checkpoint = await client.auditCheckpoint();
        writeFileSync(
          opts.out,
          `${JSON.stringify(
            {
              exportedAt: new Date().toISOString(),
              hub: client.baseUrl,
              study,
              tasks,
              approvals,
              audit: {
                // each entry's hash is sha256(prevHash + "\n" + canonical JSON of seq, at, actor, action,
                // object, details); the verification covers the whole chain up to the signed head
                verification,
                checkpoint,
                entries,
              },
            },
            null,
            2,
          )}\n`,
        );
        process.stdout.write(
          `study ${study.id}: ${tasks.length} task(s), ${entries.length} audit entries written to ${opts.out} (chain ${verification.ok ? 'verifies' : 'BROKEN'})\n`,
        );
        return;
      }
      writeFileSync(
        opts.out,
        `${JSON.stringify({ exportedAt: new Date().toISOString(), hub: client.baseUrl, verification, events }, null, 2)}\n`,
      );
      process.stdout.write(
        `${events.length} audit events written to ${opts.out} (chain ${verification.ok ? 'verifies' : 'BROKEN'})\n`,
      );
    });
}
