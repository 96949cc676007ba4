/**
 * Pure helpers of the ONNX register form: the model card as form fields (one text per field, lists one item
 * a line) turned into protocol's `OnnxModelCard` and validated with its schema, the file's bytes as base64
 * (the hub route's encoding; the browser has no Buffer), a signature's tensors in words, and the hub's coded
 * errors in words.
 */
import { ERROR_CATALOGUE, isErrorCode, type OnnxModelCard, OnnxModelCardSchema } from '@fedhub/protocol';

/** One input of the card as the form holds it. */
export interface CardInputDraft {
  /** A key for the form's list (not sent). */
  key: number;
  name: string;
  description: string;
  preprocessing: string;
  /** Suggested data-dictionary columns, comma- or line-separated. */
  columns: string;
}

/** The card as the form holds it: plain strings, lists one item a line. */
export interface CardDraft {
  intendedUse: string;
  trainingData: string;
  inputs: CardInputDraft[];
  outputName: string;
  outputMeaning: string;
  licence: string;
  authors: string;
  limitations: string;
  references: string;
}

let nextKey = 0;
export const emptyInput = (name = ''): CardInputDraft => ({
  key: nextKey++,
  name,
  description: '',
  preprocessing: '',
  columns: '',
});

export const emptyCard = (): CardDraft => ({
  intendedUse: '',
  trainingData: '',
  inputs: [emptyInput()],
  outputName: '',
  outputMeaning: '',
  licence: '',
  authors: '',
  limitations: '',
  references: '',
});

/** A problem with one form field: `field` is the id of the form control it belongs to. */
export interface FieldProblem {
  field: string;
  message: string;
}

const lines = (s: string) =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);
const items = (s: string) =>
  s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The form control id of a schema path (["inputs", 0, "name"] → "card-inputs-0-name"). */
export function fieldOfPath(path: readonly PropertyKey[]): string {
  const [head, i, key] = path;
  if (head === 'output') return i === 'name' ? 'card-output-name' : 'card-output-meaning';
  if (head === 'inputs') {
    if (typeof i !== 'number') return 'card-inputs';
    return `card-inputs-${i}-${typeof key === 'string' ? key : 'name'}`;
  }
  return `card-${String(head ?? 'form')}`;
}

/** The card the form describes, validated with protocol's schema, or what is wrong field by field. */
export function cardFromDraft(
  d: CardDraft,
): { ok: true; card: OnnxModelCard } | { ok: false; problems: FieldProblem[] } {
  const raw = {
    intendedUse: d.intendedUse,
    trainingData: d.trainingData,
    inputs: d.inputs.map((i) => {
      const columns = items(i.columns);
      return {
        name: i.name,
        description: i.description,
        preprocessing: i.preprocessing,
        ...(columns.length ? { columns } : {}),
      };
    }),
    output: { name: d.outputName, meaning: d.outputMeaning },
    licence: d.licence,
    authors: lines(d.authors),
    limitations: lines(d.limitations),
    references: lines(d.references),
  };
  const r = OnnxModelCardSchema.safeParse(raw);
  if (r.success) return { ok: true, card: r.data };
  return {
    ok: false,
    problems: r.error.issues.map((i) => ({
      field: fieldOfPath(i.path),
      message:
        i.code === 'too_small' && i.origin === 'string'
          ? 'required'
          : i.code === 'too_small' && i.origin === 'array'
            ? 'describe at least one input'
            : i.message,
    })),
  };
}

/**
 * The bytes as standard base64 (RFC 4648 with padding), as `z.base64()` on the hub accepts. Written by hand:
 * btoa wants a binary string, built here in chunks so that a large file does not overflow the call stack.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const chunk = 0x8000;
  let bin = '';
  for (let i = 0; i < bytes.length; i += chunk)
    bin += String.fromCharCode(...bytes.subarray(i, Math.min(i + chunk, bytes.length)));
  return btoa(bin);
}

/** A tensor of the signature in words: "x float32 [N, 3]". */
export function tensorText(t: {
  name: string;
  elementType: string | null;
  shape: ReadonlyArray<number | string | null> | null;
}): string {
  const shape = t.shape ? `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '[?]';
  return `${t.name} ${t.elementType ?? '?'} ${shape}`;
}

/** What a registration refusal means, in words, for the codes the ONNX registry answers with. */
const ADVICE: Record<string, string> = {
  FH_ERR_MODEL_UNSUPPORTED_OP:
    'The model uses an operator or operator domain the hub does not run (only the standard domains ai.onnx and ai.onnx.ml are allowed). Re-export it with standard operators.',
  FH_ERR_MODEL_INVALID:
    'The file is not a readable ONNX model (no graph, tensors stored in external data files, or a damaged file). Export it again with all weights inside the file.',
  FH_ERR_MODEL_TOO_LARGE: 'The file is larger than the registry accepts.',
  FH_ERR_MODEL_INPUT_MISMATCH:
    "The card's inputs or output do not match the names in the model's graph: use the names shown under the file.",
  FH_ERR_ALREADY_EXISTS:
    'This name and version are taken in the collaboration: a new file needs a new version.',
  FH_ERR_VALIDATION: 'Some fields are not valid.',
  FH_ERR_FORBIDDEN: 'Registering models needs the researcher role in the collaboration.',
};

/** A hub error (code, message, details) as a sentence for the form; other errors as their message. */
export function registerErrorText(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const code = String((e as { code: unknown }).code);
    const message = String((e as { message: unknown }).message);
    const advice =
      ADVICE[code] ?? (isErrorCode(code) ? ERROR_CATALOGUE[code].message : 'The hub refused it.');
    return `${advice} The hub said: ${message} (${code})`;
  }
  return e instanceof Error ? e.message : String(e);
}
