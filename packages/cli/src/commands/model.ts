/**
 * `fedhub model`: the hub's model registry. `register` turns a completed glm/coxph task into the next
 * version of a named model; `validate` runs the version's frozen coefficients at a study's nodes and
 * attaches the report; `card` writes the model card as JSON or standalone HTML.
 */
import { writeFileSync } from 'node:fs';
import { renderModelCardHtml, renderOnnxReportHtml } from '@fedhub/hub';
import { FedhubError, type Json, type ModelVersion } from '@fedhub/protocol';
import type { Command } from 'commander';
import { formatEstimateCi } from '../format-number.js';
import { num, printJson, table } from '../output.js';
import { parseParams } from '../params-option.js';
import { clientFromEnvironment } from '../session.js';
import { watchTask } from '../task-progress.js';
import { describeOnnx, registerOnnx } from './model-onnx.js';

type Global = { hub?: string; json?: boolean };

/** "name@3" or "name" with --version. */
function parseRef(ref: string, version?: string): { name: string; version: number } {
  const [name, v] = ref.includes('@') ? ref.split('@') : [ref, version];
  const n = Number(v);
  if (!name || !Number.isInteger(n) || n < 1)
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `model reference "${ref}": give name@version, e.g. toxicity@1`,
    );
  return { name, version: n };
}

function describe(mv: ModelVersion): string {
  const lines = [
    `model ${mv.name}@${mv.version} (${mv.kind}${mv.family ? `, ${mv.family}` : ''}), registered ${mv.createdAt}`,
    `formula: ${mv.formula}`,
    `from task ${mv.taskId} of study ${mv.studyId}, ${mv.algorithm.name}@${mv.algorithm.version} (${mv.algorithm.digest.slice(0, 16)}…)`,
    `nodes: ${mv.nodes.map((n) => `${n.name}${n.dictionaryHash ? ` [dictionary ${n.dictionaryHash.slice(0, 12)}…]` : ''}`).join(', ')}`,
    `intended use: ${mv.intendedUse}`,
    table(
      ['term', 'estimate', 'std. error'],
      mv.coefficients.map((c) => [c.term, num(c.estimate), num(c.stdError)]),
    ),
  ];
  for (const v of mv.validations) {
    const report = v.report as {
      algorithm?: string;
      pooled?: { auc?: number; brier?: number; concordance?: number; ciLower?: number; ciUpper?: number };
      perCentre?: Array<{ centre: string; concordance: number }>;
    } | null;
    const pooled = report?.pooled;
    if (report?.algorithm === 'validate-survival') {
      const centres = (report.perCentre ?? []).map((c) => `${c.centre} ${num(c.concordance, 3)}`);
      lines.push(
        `validation ${v.taskId} (study ${v.studyId}): pooled Harrell's C ${formatEstimateCi(pooled?.concordance, pooled?.ciLower, pooled?.ciUpper, 3).text.replace(' (', ' (95% CI ')}${centres.length > 0 ? `; ${centres.join(', ')}` : ''}`,
      );
      continue;
    }
    lines.push(
      `validation ${v.taskId} (study ${v.studyId}): pooled AUC ${num(pooled?.auc ?? null, 3)}, Brier ${num(pooled?.brier ?? null, 3)}`,
    );
  }
  return lines.join('\n');
}

/** "name@1.0.0" of an ONNX model. */
function onnxRef(ref: string): { name: string; version: string } {
  const at = ref.lastIndexOf('@');
  if (at < 1 || at === ref.length - 1)
    throw new FedhubError('FH_ERR_VALIDATION', `"${ref}": give name@version`);
  return { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('the model registry: register, validate, model cards');
  model
    .command('register [name]')
    .description(
      'register a completed glm or coxph task as the next version of a model (--task), or an ONNX file with its model card (--onnx)',
    )
    .option('--task <id>', 'the completed glm or coxph task')
    .option('--intended-use <text>', 'what the model is for, and for whom (task models)')
    .option('--description <text>')
    .option('--limitation <text...>', 'known limitations (repeatable)')
    .option('--onnx <file>', 'an ONNX model file')
    .option('--name <name>', 'the model name (ONNX)')
    .option('--version <version>', 'the version label, e.g. 1.0.0 (ONNX; a new file needs a new version)')
    .option('--card <file>', 'the model card, YAML or JSON (ONNX)')
    .option('--collaboration <id>', 'the collaboration (ONNX; default: your only one)')
    .option('--hub <url>')
    .option('--json')
    .action(
      async (
        positional: string | undefined,
        opts: Global & {
          task?: string;
          intendedUse?: string;
          description?: string;
          limitation?: string[];
          onnx?: string;
          name?: string;
          version?: string;
          card?: string;
          collaboration?: string;
        },
      ) => {
        const client = clientFromEnvironment(opts);
        if (opts.onnx) {
          const name = opts.name ?? positional;
          if (!name || !opts.version || !opts.card)
            throw new FedhubError('FH_ERR_VALIDATION', 'an ONNX model needs --name, --version and --card');
          const m = await registerOnnx(client, {
            onnx: opts.onnx,
            name,
            version: opts.version,
            card: opts.card,
            ...(opts.collaboration ? { collaboration: opts.collaboration } : {}),
          });
          opts.json ? printJson(m) : process.stdout.write(`registered ${describeOnnx(m)}\n`);
          return;
        }
        const name = positional ?? opts.name;
        if (!name || !opts.task || !opts.intendedUse)
          throw new FedhubError(
            'FH_ERR_VALIDATION',
            'give <name> --task <id> --intended-use <text> (a task model), or --onnx <file> --name --version --card',
          );
        const mv = await client.registerModel({
          name,
          taskId: opts.task,
          intendedUse: opts.intendedUse,
          ...(opts.description ? { description: opts.description } : {}),
          ...(opts.limitation ? { limitations: opts.limitation } : {}),
        });
        opts.json ? printJson(mv) : process.stdout.write(`registered ${mv.name}@${mv.version}\n`);
      },
    );
  model
    .command('onnx-attach <ref>')
    .description(
      'attach a completed validate or validate-imaging task that ran the ONNX model (name@version) to its validation report',
    )
    .requiredOption('--task <id>', 'the completed validate or validate-imaging task')
    .option('--hub <url>')
    .option('--json')
    .action(async (ref: string, opts: Global & { task: string }) => {
      const { name, version } = onnxRef(ref);
      const r = await clientFromEnvironment(opts).attachOnnxValidation(name, version, opts.task);
      opts.json ? printJson(r) : process.stdout.write(`attached task ${r.taskId} to ${ref}\n`);
    });
  model
    .command('onnx-report <ref>')
    .description("the ONNX model's validation report, signed by the hub: JSON (--out) and/or HTML (--html)")
    .option('--out <file.json>', 'write the signed JSON report')
    .option('--html <file.html>', 'write the report as a standalone HTML page')
    .option('--hub <url>')
    .action(async (ref: string, opts: Global & { out?: string; html?: string }) => {
      const { name, version } = onnxRef(ref);
      const report = (await clientFromEnvironment(opts).onnxValidationReport(name, version)) as Record<
        string,
        Json
      >;
      if (opts.out) writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
      if (opts.html) writeFileSync(opts.html, renderOnnxReportHtml(report));
      if (!opts.out && !opts.html) printJson(report);
    });
  model
    .command('onnx [ref]')
    .description('the registered ONNX models, or one (name@version): digest, signature, card')
    .option('--hub <url>')
    .option('--json')
    .action(async (ref: string | undefined, opts: Global) => {
      const client = clientFromEnvironment(opts);
      if (ref) {
        const { name, version } = onnxRef(ref);
        const m = await client.getOnnxModel(name, version);
        opts.json ? printJson(m) : process.stdout.write(`${describeOnnx(m)}\n`);
        return;
      }
      const all = await client.listOnnxModels();
      if (opts.json) return printJson(all);
      process.stdout.write(
        `${table(
          ['model', 'sha256', 'inputs', 'registered'],
          all.map((m) => [
            `${m.name}@${m.version}`,
            `${m.sha256.slice(0, 16)}…`,
            m.signature.inputs.map((i) => i.name).join(', '),
            m.createdAt,
          ]),
        )}\n`,
      );
    });
  model
    .command('list [name]')
    .description('models and their versions')
    .option('--hub <url>')
    .option('--json')
    .action(async (name: string | undefined, opts: Global) => {
      const all = await clientFromEnvironment(opts).listModels(name);
      if (opts.json) return printJson(all);
      process.stdout.write(
        `${table(
          ['model', 'kind', 'formula', 'validations', 'registered'],
          all.map((m) => [`${m.name}@${m.version}`, m.kind, m.formula, m.validations.length, m.createdAt]),
        )}\n`,
      );
    });
  model
    .command('show <ref>')
    .description('one model version (name@version) with its provenance and validations')
    .option('--hub <url>')
    .option('--json')
    .action(async (ref: string, opts: Global) => {
      const r = parseRef(ref);
      const mv = await clientFromEnvironment(opts).getModelVersion(r.name, r.version);
      opts.json ? printJson(mv) : process.stdout.write(`${describe(mv)}\n`);
    });
  model
    .command('validate <ref>')
    .description(
      "validate a version at a study's nodes with its frozen coefficients (AUC and calibration for a binomial glm, Harrell's C for a coxph model), and attach the report",
    )
    .requiredOption('--study <id>', 'the study whose nodes validate')
    .requiredOption('--dataset <name>', 'dataset at the validating nodes')
    .option('--outcome <column>', 'observed binary outcome column (binomial glm models)')
    .option('--nodes <ids...>', "a subset of the study's nodes")
    .option(
      '--params <json>',
      'more parameters as JSON or @file: scoreResolution, groups, filter; for coxph models time, event, strata, timeResolution',
    )
    .option('--hub <url>')
    .option('--json')
    .action(
      async (
        ref: string,
        opts: Global & {
          study: string;
          dataset: string;
          outcome?: string;
          nodes?: string[];
          params?: string;
        },
      ) => {
        const r = parseRef(ref);
        const client = clientFromEnvironment(opts);
        const extra = opts.params ? ((await parseParams(opts.params)) as Record<string, never>) : {};
        const task = await client.validateModel(r.name, r.version, {
          ...extra,
          studyId: opts.study,
          dataset: opts.dataset,
          ...(opts.outcome ? { outcome: opts.outcome } : {}),
          ...(opts.nodes ? { nodeIds: opts.nodes } : {}),
        });
        const done = await watchTask(client, task.id, { quiet: opts.json });
        if (done.status !== 'completed') {
          process.exitCode = 2;
          if (opts.json) return printJson(done);
          process.stdout.write(`validation task ${done.id} ${done.status}: ${done.error?.message ?? ''}\n`);
          return;
        }
        const mv = await client.attachModelValidation(r.name, r.version, task.id);
        opts.json ? printJson(mv) : process.stdout.write(`${describe(mv)}\n`);
      },
    );
  model
    .command('card <ref>')
    .description('the model card of a version, as JSON (default) or standalone HTML')
    .option('--html', 'render as a standalone HTML page')
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--hub <url>')
    .action(async (ref: string, opts: Global & { html?: boolean; out?: string }) => {
      const r = parseRef(ref);
      const card = await clientFromEnvironment(opts).getModelCard(r.name, r.version);
      const text = opts.html ? renderModelCardHtml(card) : `${JSON.stringify(card, null, 2)}\n`;
      if (opts.out) {
        writeFileSync(opts.out, text);
        process.stdout.write(`model card of ${r.name}@${r.version} written to ${opts.out}\n`);
      } else process.stdout.write(text);
    });
}
