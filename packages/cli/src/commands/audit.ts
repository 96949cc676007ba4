/**
 * `fedhub audit`: the hub's hash-chained audit trail (list, verify, export as JSON), and a node's own chain
 * (`fedhub audit verify --node-config node.yaml`), which a node keeps of what it ran, released and refused.
 */
import { writeFileSync } from 'node:fs';
import { loadNodeConfigFile, NodeAuditLog } from '@fedhub/node';
import type { Command } from 'commander';
import { printJson, table } from '../output.js';
import { clientFromEnvironment } from '../session.js';

type Global = { hub?: string; json?: boolean };

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('the tamper-evident audit trails of the hub and of a node');
  audit
    .command('verify')
    .description("re-compute the hub's audit chain (auditor), or a node's own chain with --node-config")
    .option('--node-config <file>', "verify this node's local chain instead (run at the node)")
    .option('--hub <url>')
    .option('--json')
    .action(async (opts: Global & { nodeConfig?: string }) => {
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
      const v = await clientFromEnvironment(opts).verifyAudit();
      if (opts.json) printJson(v);
      else
        process.stdout.write(
          v.ok
            ? `hub audit chain verifies: ${v.count} entries, head ${v.headHash}\n`
            : `hub audit chain BROKEN at entry ${v.broken?.seq}: ${v.broken?.reason}\n`,
        );
      if (!v.ok) process.exitCode = 2;
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
    .command('export')
    .description('write the whole hub audit trail and its verification to a JSON file (auditor)')
    .requiredOption('--out <file>', 'output file')
    .option('--hub <url>')
    .action(async (opts: Global & { out: string }) => {
      const client = clientFromEnvironment(opts);
      const events = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await client.listAudit({ limit: 1000, offset });
        events.push(...page);
        if (page.length < 1000) break;
      }
      const verification = await client.verifyAudit();
      writeFileSync(
        opts.out,
        `${JSON.stringify({ exportedAt: new Date().toISOString(), hub: client.baseUrl, verification, events }, null, 2)}\n`,
      );
      process.stdout.write(
        `${events.length} audit events written to ${opts.out} (chain ${verification.ok ? 'verifies' : 'BROKEN'})\n`,
      );
    });
}
