import { randomBytes } from 'node:crypto';
import { HubRequestError } from '@fedhub/sdk';
import { describe, expect, it } from 'vitest';
import {
  bytesToBase64,
  type CardDraft,
  cardFromDraft,
  emptyCard,
  fieldOfPath,
  registerErrorText,
  tensorText,
} from './onnx-card-form.js';

const filled = (): CardDraft => ({
  intendedUse: 'Adults after prostate radiotherapy; risk of grade >= 2 rectal toxicity',
  trainingData: 'Centre A, 2015-2020, 812 patients, 14% events',
  inputs: [
    {
      key: 0,
      name: 'x',
      description: 'age, mean rectal dose',
      preprocessing: 'years; Gy',
      columns: 'age, dose_mean\n',
    },
  ],
  outputName: 'p',
  outputMeaning: 'predicted probability of grade >= 2 toxicity',
  licence: 'CC-BY-4.0',
  authors: 'A. Author\n\n B. Author ',
  limitations: 'Not validated in hypofractionation',
  references: '',
});

describe('cardFromDraft', () => {
  it('turns the form fields into a card the protocol schema accepts', () => {
    const r = cardFromDraft(filled());
    expect(r).toEqual({
      ok: true,
      card: {
        intendedUse: 'Adults after prostate radiotherapy; risk of grade >= 2 rectal toxicity',
        trainingData: 'Centre A, 2015-2020, 812 patients, 14% events',
        inputs: [
          {
            name: 'x',
            description: 'age, mean rectal dose',
            preprocessing: 'years; Gy',
            columns: ['age', 'dose_mean'],
          },
        ],
        output: { name: 'p', meaning: 'predicted probability of grade >= 2 toxicity' },
        licence: 'CC-BY-4.0',
        authors: ['A. Author', 'B. Author'],
        limitations: ['Not validated in hypofractionation'],
        references: [],
      },
    });
  });

  it('leaves out columns when none are given', () => {
    const d = filled();
    d.inputs[0]!.columns = '  ';
    const r = cardFromDraft(d);
    expect(r.ok && r.card.inputs[0]).toEqual({
      name: 'x',
      description: 'age, mean rectal dose',
      preprocessing: 'years; Gy',
    });
  });

  it('names every missing field by its form control', () => {
    const r = cardFromDraft(emptyCard());
    expect(r.ok).toBe(false);
    const fields = r.ok ? [] : r.problems.map((p) => p.field).sort();
    expect(fields).toEqual(
      [
        'card-intendedUse',
        'card-trainingData',
        'card-inputs-0-name',
        'card-inputs-0-description',
        'card-inputs-0-preprocessing',
        'card-output-name',
        'card-output-meaning',
        'card-licence',
      ].sort(),
    );
    expect(r.ok ? [] : r.problems.every((p) => p.message === 'required')).toBe(true);
  });

  it('refuses a card without inputs and a whitespace-only field', () => {
    const d = filled();
    d.inputs = [];
    d.licence = '   ';
    const r = cardFromDraft(d);
    expect(r.ok ? [] : r.problems).toEqual([
      { field: 'card-inputs', message: 'describe at least one input' },
      { field: 'card-licence', message: 'required' },
    ]);
  });
});

describe('fieldOfPath', () => {
  it('maps schema paths to form control ids', () => {
    expect(fieldOfPath(['inputs', 2, 'columns', 0])).toBe('card-inputs-2-columns');
    expect(fieldOfPath(['output', 'meaning'])).toBe('card-output-meaning');
    expect(fieldOfPath(['licence'])).toBe('card-licence');
  });
});

describe('bytesToBase64', () => {
  it('equals Node’s base64 for empty, padded and large inputs (over one chunk)', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 0x8000 - 1, 0x8000, 0x8000 * 3 + 7]) {
      const b = new Uint8Array(randomBytes(n));
      expect(bytesToBase64(b)).toBe(Buffer.from(b).toString('base64'));
    }
  });
  it('encodes a view of a larger buffer, not the whole buffer', () => {
    const whole = new Uint8Array([0, 1, 2, 250, 251, 252, 9]);
    expect(bytesToBase64(whole.subarray(3, 6))).toBe(Buffer.from([250, 251, 252]).toString('base64'));
    expect(bytesToBase64(new TextEncoder().encode('Man'))).toBe('TWFu');
  });
});

describe('tensorText', () => {
  it('writes symbolic, fixed and unknown dimensions', () => {
    expect(tensorText({ name: 'x', elementType: 'float32', shape: ['N', 3] })).toBe('x float32 [N, 3]');
    expect(tensorText({ name: 'y', elementType: null, shape: [null, 1] })).toBe('y ? [?, 1]');
    expect(tensorText({ name: 'z', elementType: 'int64', shape: null })).toBe('z int64 [?]');
  });
});

describe('registerErrorText', () => {
  it('explains the unsupported-operator refusal in words and keeps the hub’s message and code', () => {
    const e = new HubRequestError(422, {
      code: 'FH_ERR_MODEL_UNSUPPORTED_OP',
      message: 'operator domain "com.evil" is not allowed',
    });
    const t = registerErrorText(e);
    expect(t).toMatch(/^The model uses an operator or operator domain the hub does not run/);
    expect(t).toContain('operator domain "com.evil" is not allowed');
    expect(t).toContain('(FH_ERR_MODEL_UNSUPPORTED_OP)');
  });
  it('falls back to the catalogue for other codes, and to the message for plain errors', () => {
    const e = new HubRequestError(503, { code: 'FH_ERR_UNAVAILABLE', message: 'down' });
    expect(registerErrorText(e)).not.toMatch(/^The hub refused it/);
    expect(registerErrorText(new Error('read failed'))).toBe('read failed');
  });
});
