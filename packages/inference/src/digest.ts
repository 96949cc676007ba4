import { createHash } from 'node:crypto';

/** The sha256 of a model file, lowercase hex: what the registry stores and node approvals bind to. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
