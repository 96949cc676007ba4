/**
 * `fedhub node approvals|approve|deny|stop-study --config node.yaml`: the node administrator decides at
 * the node, offline, on the node's own approval store; the running node picks the decision up on its next
 * heartbeat. Every decision goes into the node's audit log.
 */
import { ApprovalStore, applyDecision, loadNodeConfigFile, modeOf, NodeAuditLog } from '@fedhub/node/runtime';
import { FedhubError } from '@fedhub/protocol';
import type { Command } from 'commander';
import { printJson, table } from '../output.js';

type DecideOpts = {
  config: string;
  study: string;
  algorithm?: string;
  version?: string;
  reason?: string;
  json?: boolean;
};

function withStores<T>(configFile: string, fn: (store: ApprovalStore, audit: NodeAuditLog) => T): T {
  const config = loadNodeConfigFile(configFile);
  const store = new ApprovalStore(config.dataDir);
  const audit = new NodeAuditLog(config.dataDir);
  try {
    return fn(store, audit);
  } finally {
    store.close();
    audit.close();
  }
}

function decide(kind: 'approve' | 'deny' | 'stop', opts: DecideOpts): void {
  if (opts.version && !opts.algorithm)
    throw new FedhubError('FH_ERR_VALIDATION', '--version needs --algorithm');
  const by = `node-admin:${process.env.USER ?? 'local'}`;
  const what = withStores(opts.config, (store, audit) => {
    const text = applyDecision(
      store,
      {
        studyId: opts.study,
        decision: kind,
        algorithm: kind === 'stop' ? null : (opts.algorithm ?? null),
        version: opts.version ?? null,
        reason: opts.reason ?? null,
      },
      by,
    );
    audit.append({
      action: 'approval.decided',
      studyId: opts.study,
      ...(opts.algorithm && kind !== 'stop'
        ? { algorithm: `${opts.algorithm}@${opts.version ?? 'latest'}` }
        : {}),
      detail: { decision: kind, by, what: text, reason: opts.reason ?? null },
    });
    return text;
  });
  if (opts.json) printJson({ ok: true, decision: kind, what });
  else process.stdout.write(`${what}\n`);
}

export function registerNodeApprovalCommands(node: Command): void {
  node
    .command('approvals')
    .description('list the runs this node holds until its administrator decides, and the decisions made')
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .option('--study <id>', 'only this study')
    .option('--json', 'machine-readable output')
    .action((opts: { config: string; study?: string; json?: boolean }) => {
      const config = loadNodeConfigFile(opts.config);
      withStores(opts.config, (store) => {
        const pending = store.pending(opts.study).map((p) => ({
          ...p,
          mode: modeOf(store, config.approvals, p.studyId),
        }));
        const decisions = store.decisions(opts.study);
        if (opts.json) return printJson({ pending, decisions });
        process.stdout.write(
          pending.length === 0
            ? 'no run is waiting for approval\n'
            : `${table(
                ['study', 'algorithm', 'digest', 'variables', 'params', 'requester', 'since', 'run'],
                pending.map((p) => [
                  p.studyTitle,
                  `${p.algorithm}@${p.version}`,
                  p.digest.slice(0, 12),
                  p.variables.join(', '),
                  JSON.stringify(p.params),
                  p.requester?.username ?? '',
                  p.since,
                  p.runId,
                ]),
              )}\n`,
        );
        if (decisions.length > 0)
          process.stdout.write(
            `\ndecisions:\n${table(
              ['study', 'algorithm', 'digest', 'decision', 'by', 'at'],
              decisions.map((d) => [
                d.studyId,
                `${d.algorithm}@${d.version}`,
                d.digest.slice(0, 12),
                d.decision,
                d.decidedBy,
                d.at,
              ]),
            )}\n`,
          );
      });
    });
  for (const [name, kind, text] of [
    [
      'approve',
      'approve',
      'approve an algorithm version for a study at this node (without --algorithm: the versions its waiting runs ask for, and a deny of the study is lifted)',
    ],
    ['deny', 'deny', 'deny a study at this node, or one algorithm version of it with --algorithm'],
  ] as const)
    node
      .command(name)
      .description(text)
      .requiredOption('-c, --config <file>', 'node configuration (YAML)')
      .requiredOption('--study <id>', 'study id')
      .option('--algorithm <name>', 'algorithm name')
      .option('--version <v>', "algorithm version (default: this node's latest)")
      .option('--reason <text>', 'why (shown to the researcher on a refusal)')
      .option('--json', 'machine-readable output')
      .action((opts: DecideOpts) => decide(kind, opts));
  node
    .command('stop-study')
    .description('stop a study at this node: every run of it is refused from now on (final)')
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .requiredOption('--study <id>', 'study id')
    .option('--reason <text>', 'why (shown to the researcher)')
    .option('--json', 'machine-readable output')
    .action((opts: DecideOpts) => decide('stop', opts));
}
