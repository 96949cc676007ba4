/**
 * `fedhub gdpr record --study S`: the GDPR Art. 30 record of processing of a study and its DPIA annex,
 * from the study at the hub and the participating nodes' configurations (`--node-config Name=file.yaml`,
 * the name being the node's name at the hub; a bare file path takes its name from the file name).
 */
import { writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { loadNodeConfigFile } from '@fedhub/node';
import { FedhubError } from '@fedhub/protocol';
import {
  type Art30Input,
  type Art30Site,
  buildArt30Record,
  renderArt30Html,
  renderArt30Markdown,
} from '@fedhub/sdk';
import type { Command } from 'commander';
import { clientFromEnvironment } from '../session.js';

type NodeConfigLike = ReturnType<typeof loadNodeConfigFile>;

const MODE_TEXT: Readonly<Record<string, string>> = {
  manual: 'manual: each algorithm version waits for the node administrator',
  automatic: 'automatic when the node policy matches',
  deny: 'deny: the node runs nothing for this study',
};

/** What a node configuration says about its controls for one study. */
export function siteFromNodeConfig(name: string, cfg: NodeConfigLike, studyId: string): Art30Site {
  // the approvals section is read loosely: older configurations have none
  const approvals = (
    cfg as {
      approvals?: {
        defaultMode?: string;
        studies?: Record<string, string>;
        automatic?: { algorithms?: string[]; maxVariables?: number };
      };
    }
  ).approvals;
  const mode = approvals ? (approvals.studies?.[studyId] ?? approvals.defaultMode ?? null) : null;
  let approvalText = mode === null ? null : (MODE_TEXT[mode] ?? mode);
  if (mode === 'automatic' && approvals?.automatic?.algorithms)
    approvalText += ` (algorithms ${approvals.automatic.algorithms.join(', ')})`;
  const differential = (cfg.privacy?.differential ?? []).filter(
    (d) => d.study === '*' || d.study === studyId,
  );
  const quota = cfg.privacy?.quota
    ? (cfg.privacy.quota.perStudy[studyId] ?? cfg.privacy.quota.maxResultsPerStudy)
    : null;
  return {
    name,
    datasets: cfg.resolvedDatasets.map((d) => ({
      name: d.name,
      columns: d.columns.length,
      description: d.description,
      optOut: d.optOut !== undefined,
    })),
    policy: cfg.policy,
    differentialPrivacy: differential.map((d) => ({
      dataset: d.dataset,
      mechanism: d.mechanism,
      budget: d.budget,
      perRelease: d.perRelease,
    })),
    quota,
    dicomStore: cfg.dicom !== undefined,
    approvals: approvalText,
  };
}

function parseNodeConfigArg(arg: string): { name: string; file: string } {
  const eq = arg.indexOf('=');
  if (eq > 0) return { name: arg.slice(0, eq), file: arg.slice(eq + 1) };
  return { name: basename(arg, extname(arg)), file: arg };
}

export function registerGdprCommands(program: Command): void {
  const gdpr = program.command('gdpr').description('GDPR records of processing');
  gdpr
    .command('record')
    .description('the Art. 30 record of processing of a study, with a DPIA annex (deterministic)')
    .requiredOption('--study <id>', 'study id')
    .option('--format <format>', 'md | html | json', 'md')
    .option('--node-config <files...>', "participating nodes' configurations, as NodeName=node.yaml")
    .option('--as-of <date>', 'date printed on the record (none by default, so that it is reproducible)')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--hub <url>')
    .action(
      async (opts: {
        study: string;
        format: string;
        nodeConfig?: string[];
        asOf?: string;
        out?: string;
        hub?: string;
      }) => {
        if (!['md', 'html', 'json'].includes(opts.format))
          throw new FedhubError(
            'FH_ERR_VALIDATION',
            `--format: "${opts.format}" is not one of md, html, json`,
          );
        const client = clientFromEnvironment(opts);
        const study = await client.getStudy(opts.study);
        const [collaboration, nodes, algorithms] = await Promise.all([
          client.getCollaboration(study.collaborationId),
          client.listNodes(study.collaborationId),
          client.listAlgorithms(),
        ]);
        // organisation names need a role that may list them; ids stand in otherwise
        const organisations = await client.listOrganisations().catch(() => []);
        const orgName = (id: string) => organisations.find((o) => o.id === id)?.name ?? id;
        const sites = (opts.nodeConfig ?? []).map((arg) => {
          const { name, file } = parseNodeConfigArg(arg);
          if (!nodes.some((n) => n.name === name))
            throw new FedhubError(
              'FH_ERR_VALIDATION',
              `--node-config ${arg}: no node "${name}" in collaboration ${collaboration.name} (nodes: ${nodes.map((n) => n.name).join(', ')}); write NodeName=file.yaml`,
            );
          return siteFromNodeConfig(name, loadNodeConfigFile(file), study.id);
        });
        const input: Art30Input = {
          study,
          collaboration: { name: collaboration.name },
          nodes: nodes.map((n) => ({ id: n.id, name: n.name, organisation: orgName(n.organisationId) })),
          algorithms,
          sites,
          asOf: opts.asOf,
        };
        const record = buildArt30Record(input);
        const text =
          opts.format === 'json'
            ? `${JSON.stringify(record, null, 2)}\n`
            : opts.format === 'html'
              ? renderArt30Html(record)
              : renderArt30Markdown(record);
        if (opts.out) writeFileSync(opts.out, text);
        else process.stdout.write(text);
      },
    );
}
