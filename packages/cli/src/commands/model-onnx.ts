/**
 * `fedhub model register --onnx`: reads an ONNX file and a model card (YAML or JSON), checks both here
 * (the same inspection the hub and the nodes make, so a bad file is refused before upload), and registers
 * them. Also the card's schema and the description of a registered ONNX model.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { checkOnnxMapping, OnnxModelParam } from '@fedhub/algorithms';
import { inspectOnnxModel, type OnnxModelInfo } from '@fedhub/inference';
import {
  FedhubError,
  type Json,
  type OnnxModel,
  type OnnxModelCard,
  OnnxModelCardSchema,
} from '@fedhub/protocol';
import type { HubClient } from '@fedhub/sdk';

/** The bytes of a local ONNX file; a missing or unreadable file is a validation error naming it. */
function readOnnxFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not an ONNX file' : `not readable (${code ?? 'error'})`}`,
      { parameter: what },
    );
  }
}

/** The model card from a YAML/JSON file, validated; errors name the field. */
export function readOnnxCard(path: string): OnnxModelCard {
  let raw: unknown;
  try {
    // yaml (CommonJS under Node) is loaded only for a card: `fedhub simulate` and `run` import this module
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    raw = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `model card ${path}: not readable YAML or JSON (${(e as Error).message})`,
    );
  }
  const parsed = OnnxModelCardSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FedhubError(
      'FH_ERR_VALIDATION',
      `model card ${path}: ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
      { fields: parsed.error.issues.map((i) => ({ path: `card.${i.path.join('.')}`, message: i.message })) },
    );
  }
  return parsed.data;
}

/** Registers an ONNX file; the collaboration defaults to the user's only one. */
export async function registerOnnx(
  client: HubClient,
  opts: { onnx: string; name: string; version: string; card: string; collaboration?: string },
): Promise<OnnxModel> {
  const bytes = readOnnxFile(opts.onnx, '--onnx');
  inspectOnnxModel(bytes); // refuses an over-size, malformed or non-standard file before upload
  const card = readOnnxCard(opts.card);
  let collaborationId = opts.collaboration;
  if (!collaborationId) {
    const mine = await client.listCollaborations();
    if (mine.length !== 1)
      throw new FedhubError(
        'FH_ERR_VALIDATION',
        `you belong to ${mine.length} collaborations: name one with --collaboration <id>`,
      );
    collaborationId = mine[0]!.id;
  }
  return client.registerOnnxModel({
    name: opts.name,
    version: opts.version,
    collaborationId,
    card,
    onnx: bytes,
  });
}

const dims = (s: readonly (number | string | null)[] | null) =>
  s ? `[${s.map((d) => d ?? '?').join(', ')}]` : '[?]';

/** A registered ONNX model in words. */
export function describeOnnx(m: OnnxModel): string {
  return [
    `ONNX model ${m.name}@${m.version}, registered ${m.createdAt}`,
    `sha256:${m.sha256} (${m.signature.byteLength} bytes; IR ${m.signature.irVersion}; opsets ${m.signature.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')})`,
    `inputs: ${m.signature.inputs.map((i) => `${i.name} ${i.elementType ?? i.kind}${dims(i.shape)}`).join('; ')}`,
    `outputs: ${m.signature.outputs.map((o) => `${o.name} ${o.elementType ?? o.kind}${dims(o.shape)}`).join('; ')}`,
    `operators: ${m.signature.operators.join(', ')}`,
    `intended use: ${m.card.intendedUse}`,
    `output ${m.card.output.name}: ${m.card.output.meaning}`,
    `licence: ${m.card.licence}`,
  ].join('\n');
}

type Obj = Record<string, Json>;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Turns an ONNX model in task parameters into what nodes run: `"registered": "name@version"` becomes the
 * registered file's digest; in a simulation (`allowFile`) an `onnx` that is a local path is registered in
 * the throwaway hub first. The column mapping is checked against the signature before submission, so a
 * mismatch is refused here with a coded error, not at every node.
 */
export async function resolveOnnxModelParams(
  client: HubClient,
  params: Json,
  opts: { allowFile: boolean; collaborationId?: string },
): Promise<Json> {
  const model = (params as Obj | null)?.model as Obj | undefined;
  if (!model || typeof model !== 'object' || Array.isArray(model)) return params;
  if (!('onnx' in model) && !('registered' in model)) return params;
  let registered: OnnxModel | null = null;
  if (typeof model.registered === 'string') {
    const at = model.registered.lastIndexOf('@');
    if (at < 1)
      throw new FedhubError('FH_ERR_BAD_PARAMS', 'model.registered: give name@version', {
        parameter: 'model.registered',
      });
    registered = await client.getOnnxModel(model.registered.slice(0, at), model.registered.slice(at + 1));
  } else if (typeof model.onnx === 'string' && !DIGEST.test(model.onnx)) {
    if (!opts.allowFile)
      throw new FedhubError(
        'FH_ERR_BAD_PARAMS',
        'model.onnx: in a federation name a registered model ("registered": "name@version") or its digest (sha256:<hex>); a file path works in `fedhub simulate` only',
        { parameter: 'model.onnx' },
      );
    const bytes = readOnnxFile(model.onnx, 'model.onnx');
    const info = inspectOnnxModel(bytes);
    const name = `simulated-${
      basename(model.onnx)
        .replace(/\.onnx$/i, '')
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .slice(0, 40) || 'model'
    }`;
    registered = await client.registerOnnxModel({
      name,
      version: '1',
      collaborationId: opts.collaborationId!,
      card: {
        intendedUse: `Simulation of ${basename(model.onnx)} on local files`,
        trainingData: 'Not stated (simulation)',
        inputs: info.inputs.map((i) => ({
          name: i.name,
          description: 'as in the graph',
          preprocessing: 'not stated',
        })),
        output: { name: String(model.output ?? info.outputs[0]?.name), meaning: 'predicted probability' },
        licence: 'not stated',
        authors: [],
        limitations: [],
        references: [],
      },
      onnx: bytes,
    });
  }
  const { registered: _, ...rest } = model;
  const resolved: Obj = registered
    ? { ...rest, onnx: `sha256:${registered.sha256}`, registered: `${registered.name}@${registered.version}` }
    : model;
  // an image model (validate-imaging): its preprocessing comes from the registered card where the task
  // does not give it; the algorithm's own schema checks the rest at the hub
  const imaging = model.imaging ?? registered?.card.imaging;
  if (imaging !== undefined) return { ...(params as Obj), model: { ...resolved, imaging } as Json };
  const parsed = OnnxModelParam.safeParse(resolved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FedhubError('FH_ERR_BAD_PARAMS', `model.${issue?.path.join('.')}: ${issue?.message}`, {
      parameter: `model.${issue?.path.join('.')}`,
    });
  }
  if (registered) checkOnnxMapping(registered.signature as unknown as OnnxModelInfo, parsed.data);
  return { ...(params as Obj), model: resolved };
}
