/**
 * A hash chain over audit events: each entry's hash covers the previous hash and the entry's canonical
 * JSON, so editing, deleting or reordering any entry changes every later hash.
 */
import { canonicalJson } from '@fedhub/protocol';
import { sha256Hex } from './secrets.js';

/** The hash before the first entry. */
export const CHAIN_GENESIS = '0'.repeat(64);

/** Hash of one entry given the previous entry's hash. */
export function chainHash(previousHash: string, entry: unknown): string {
  return sha256Hex(`${previousHash}\n${canonicalJson(entry)}`);
}

export interface ChainedEntry {
  seq: number;
  hash: string;
  prevHash: string;
  entry: unknown;
}

/** Checks a sequence of entries; returns the first broken position, or null when the chain holds. */
export function verifyChain(
  entries: ChainedEntry[],
  startHash = CHAIN_GENESIS,
): { index: number; reason: string } | null {
  let prev = startHash;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.prevHash !== prev) return { index: i, reason: `entry ${e.seq}: previous hash does not match` };
    if (chainHash(prev, e.entry) !== e.hash)
      return { index: i, reason: `entry ${e.seq}: content does not match its hash` };
    if (i > 0 && e.seq !== entries[i - 1]!.seq + 1)
      return { index: i, reason: `entry ${e.seq}: sequence gap` };
    prev = e.hash;
  }
  return null;
}
