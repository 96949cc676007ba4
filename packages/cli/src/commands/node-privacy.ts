/**
 * `fedhub node privacy -c node.yaml`: run at the node, shows what its privacy controls have let out, from
 * its own ledgers: differential-privacy budget spent per dataset and study, and the quota used per study.
 */
import { loadNodeConfigFile, privacyStatus } from '@fedhub/node/runtime';
import type { Command } from 'commander';
import { printJson, table } from '../output.js';

export function registerNodePrivacyCommand(node: Command): void {
  node
    .command('privacy')
    .description("the node's differential-privacy budgets and query quotas: spent and left (run at the node)")
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .option('--json', 'machine-readable output')
    .action((opts: { config: string; json?: boolean }) => {
      const config = loadNodeConfigFile(opts.config);
      const status = privacyStatus(config.dataDir, config.privacy);
      if (opts.json) return printJson(status);
      const round = (x: number) => String(Math.round(x * 1e6) / 1e6);
      process.stdout.write(
        status.budgets.length === 0
          ? 'no differentially private release yet\n'
          : `${table(
              ['dataset', 'study', 'mechanism', 'releases', 'epsilon spent', 'of', 'delta spent', 'of'],
              status.budgets.map((b) => [
                b.dataset,
                b.studyId,
                b.mechanism ?? '(no longer configured)',
                b.releases,
                round(b.spent.epsilon),
                b.budget ? round(b.budget.epsilon) : '',
                b.spent.delta,
                b.budget ? b.budget.delta : '',
              ]),
            )}\n`,
      );
      if (status.quotas.length > 0)
        process.stdout.write(
          `\n${table(
            ['study', 'results released', 'quota'],
            status.quotas.map((q) => [q.studyId, q.used, q.max ?? '']),
          )}\n`,
        );
    });
}
