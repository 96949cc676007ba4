/**
 * The image model to validate (validate-imaging): a registered ONNX model of the study's collaboration
 * whose card has an imaging section, picked by name and version. The parameter is built from the
 * registry, never typed: the file's digest (what node approvals bind to), name@version for the report,
 * and the card's preprocessing and output, shown in words.
 */
import type { OnnxModel } from '@fedhub/protocol';
import type { OnnxModelValue } from '../params-values.js';

/** The parameter for a registered model (null when its card has no imaging section). */
export function onnxModelValue(m: OnnxModel): OnnxModelValue | null {
  if (!m.card.imaging) return null;
  return { onnx: `sha256:${m.sha256}`, registered: `${m.name}@${m.version}`, imaging: m.card.imaging };
}

/** "segmentation, 128 × 128 × 64 voxels, crop on the structure": the card's imaging section in words. */
export function describeImaging(imaging: unknown): string {
  const i = imaging as {
    preprocessing?: { size?: number[]; crop?: string; spacing?: number[] };
    output?: { task?: string };
  };
  const parts = [i.output?.task ?? 'image model'];
  if (i.preprocessing?.size) parts.push(`${i.preprocessing.size.join(' × ')} voxels`);
  if (i.preprocessing?.spacing) parts.push(`spacing ${i.preprocessing.spacing.join(' × ')} mm`);
  if (i.preprocessing?.crop)
    parts.push(`crop on the ${i.preprocessing.crop === 'structure' ? 'structure' : 'volume centre'}`);
  return parts.join(', ');
}

export function OnnxModelField(props: {
  id: string;
  models: readonly OnnxModel[];
  value: OnnxModelValue | undefined;
  set: (v: OnnxModelValue | undefined) => void;
}) {
  const { id, value } = props;
  const usable = props.models.flatMap((m) => {
    const v = onnxModelValue(m);
    return v ? [{ m, v }] : [];
  });
  const chosen = usable.find((u) => u.v.onnx === value?.onnx);
  // a re-run of a model no longer listed keeps its parameters and says so
  const unlisted = value && !chosen;
  return (
    <div className="onnx-model-field" data-testid="onnx-model-field">
      <select
        id={id}
        aria-label="Registered image model"
        value={chosen ? chosen.v.onnx : unlisted ? 'unlisted' : ''}
        onChange={(e) => props.set(usable.find((u) => u.v.onnx === e.target.value)?.v)}
      >
        <option value="">
          {usable.length === 0
            ? 'No image model is registered in this collaboration'
            : 'Choose a registered image model…'}
        </option>
        {unlisted && (
          <option value="unlisted">{value.registered ?? value.onnx} (as in the earlier task)</option>
        )}
        {usable.map(({ m, v }) => (
          <option key={v.onnx} value={v.onnx}>
            {m.name} {m.version} ({describeImaging(m.card.imaging)})
          </option>
        ))}
      </select>
      {value && (
        <p className="muted" data-testid="onnx-model-chosen">
          {value.registered ?? 'model'}: {describeImaging(value.imaging)}; file{' '}
          <code>{value.onnx.slice(0, 19)}…</code>
        </p>
      )}
      {usable.length === 0 && (
        <p className="muted">
          Register the model with its card's imaging section first (
          <a href="#/onnx-models/new">register an ONNX model</a>).
        </p>
      )}
    </div>
  );
}
