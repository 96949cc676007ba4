/**
 * The node's private state in its data folder: key pairs and hub credentials, written with mode 0600
 * atomically (temp file + rename) so a crash never leaves half a key file.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateNodeKeys, type NodeKeys } from '@fedhub/crypto';

export interface NodeCredentials {
  hubUrl: string;
  nodeId: string;
  nodeName: string;
  collaborationId: string;
  nodeToken: string;
  /** The node's organisation (whose node-admins may decide for it through the hub); absent before 2026-11. */
  organisationId?: string;
}

function writePrivate(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export class CredentialsStore {
  constructor(readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  }
  private get keysPath() {
    return join(this.dataDir, 'node-keys.json');
  }
  private get credentialsPath() {
    return join(this.dataDir, 'credentials.json');
  }
  /** The node's key pairs, created on first use. */
  keys(): NodeKeys {
    if (existsSync(this.keysPath)) return JSON.parse(readFileSync(this.keysPath, 'utf8')) as NodeKeys;
    const keys = generateNodeKeys();
    writePrivate(this.keysPath, keys);
    return keys;
  }
  credentials(): NodeCredentials | undefined {
    return existsSync(this.credentialsPath)
      ? (JSON.parse(readFileSync(this.credentialsPath, 'utf8')) as NodeCredentials)
      : undefined;
  }
  saveCredentials(c: NodeCredentials): void {
    writePrivate(this.credentialsPath, c);
  }
}
