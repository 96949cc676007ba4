import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { PrivacyLedger } from './privacy-ledger.js';

/**
 * A ledger written by the code of before the sparse cells (auditor snapshots of format 1: dense rows, no
 * version), made by fixtures/ledger-v1/make-fixture.mjs: 170 releases of selections and their cells, a
 * snapshot after 120, 50 more to replay.
 */
const fixture = join(import.meta.dirname, '../../fixtures/ledger-v1');
const sequence = JSON.parse(readFileSync(join(fixture, 'sequence.json'), 'utf8')) as {
  releases: Array<{ selection: number[]; cells: number[][]; decision: string }>;
};
const dir = mkdtempSync(join(tmpdir(), 'fedhub-ledger-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function decide(ledger: PrivacyLedger, r: { selection: number[]; cells: number[][] }): string {
  try {
    ledger.admitRows([{ namespace: 'cohort\u0000#', rows: Int32Array.from(r.selection) }], 10, undefined, {
      sets: r.cells.map((c) => ({ namespace: 'cohort\u0000#cells', rows: Int32Array.from(c) })),
      minGroup: 5,
    });
    return 'released';
  } catch (err) {
    return (err as { details?: { rule?: string } }).details?.rule ?? 'error';
  }
}

/** Further releases: single records of a selection in groups of 5..9, or blocks of 5 in groups of 1..4. */
function probes(): Array<{ selection: number[]; cells: number[][] }> {
  let seed = 99;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: 40 }, (_, k) => {
    const lo = 10 * Math.floor(rnd() * 15);
    const selection = Array.from({ length: 10 * (4 + Math.floor(rnd() * 15)) }, (_, i) => lo + i);
    const fine = k % 2 === 0;
    const unit = fine ? 1 : 5;
    const units = Array.from({ length: selection.length / unit }, (_, i) => i).sort(() => rnd() - 0.5);
    const cells: number[][] = [];
    for (let at = 0; at < units.length; ) {
      const n = Math.min(units.length - at, fine ? 5 + Math.floor(rnd() * 5) : 1 + Math.floor(rnd() * 4));
      const group = units.slice(at, at + n).flatMap((u) => selection.slice(u * unit, (u + 1) * unit));
      if (group.length < 5) break;
      cells.push(group.sort((a, b) => a - b));
      at += n;
    }
    return { selection, cells };
  });
}

describe('privacy ledger: a ledger of the first snapshot format', () => {
  it('loads (dense snapshot to sparse cells, replay after it) and decides as a ledger rebuilt from its releases', () => {
    const old = join(dir, 'old');
    cpSync(join(fixture, 'ledger'), old, { recursive: true });
    const header = (file: string, ns: string) => {
      const db = new Database(file, { readonly: true });
      const row = db.prepare('SELECT state FROM auditor_snapshots WHERE namespace = ?').get(ns) as {
        state: Buffer;
      };
      db.close();
      return JSON.parse(row.state.subarray(4, 4 + row.state.readUInt32LE(0)).toString('utf8')) as {
        version?: number;
        fields: Array<{ kind?: string }>;
      };
    };
    // the fixture is of the first format indeed
    expect(header(join(old, 'privacy-ledger.sqlite'), 'cohort\u0000#cells').version).toBeUndefined();

    // the same releases through the current code, from nothing: the old code's decisions
    const rebuilt = new PrivacyLedger(join(dir, 'rebuilt'));
    expect(sequence.releases.map((r) => decide(rebuilt, r))).toEqual(
      sequence.releases.map((r) => r.decision),
    );

    const loaded = new PrivacyLedger(old);
    const expected = probes().map((p) => decide(rebuilt, p));
    expect(probes().map((p) => decide(loaded, p))).toEqual(expected);
    expect(expected).toContain('released');
    expect(expected).toContain('linear');
    // closed, it writes format 2 (sparse rows for the cells, dense for the selections) and reads it back
    loaded.close();
    const h = header(join(old, 'privacy-ledger.sqlite'), 'cohort\u0000#cells');
    expect(h.version).toBe(2);
    expect(h.fields.map((f) => f.kind)).toEqual(['sparse', 'sparse']);
    expect(header(join(old, 'privacy-ledger.sqlite'), 'cohort\u0000#').fields.map((f) => f.kind)).toEqual([
      'dense',
      'dense',
    ]);
    const again = new PrivacyLedger(old);
    const last = sequence.releases.find((r) => r.decision === 'released')!;
    // a repeat adds nothing; the state read back refuses what the live one refuses
    expect(decide(again, last)).toBe('released');
    const refusedProbe = probes().find((_, k) => expected[k] === 'linear')!;
    expect(decide(again, refusedProbe)).toBe('linear');
    again.close();
    rebuilt.close();
  });
});
