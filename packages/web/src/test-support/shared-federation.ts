/**
 * What the browser project's global setup (./browser-global-setup.ts) hands to every browser test file:
 * the shared front's URL, the shared chromium's endpoint and the federation's accounts and ids (plain data:
 * it crosses from the main process to the test workers).
 */
import { existsSync } from 'node:fs';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function requireChromium(): void {
  if (!existsSync(chromiumPath))
    throw new Error(
      `chromium not found at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );
}

interface Account {
  username: string;
  password: string;
}

/** The shared federation as the test files receive it (`inject('sharedFederation')`). */
export interface SharedFederation {
  /** The same-origin front: the dashboard and /api of the hub. */
  url: string;
  /** The shared chromium (`chromium.connect(wsEndpoint)`). */
  wsEndpoint: string;
  /** A scratch folder of the run (files add their own nodes' data under it, in folders of their own). */
  work: string;
  fed: {
    hubUrl: string;
    collaborationName: string;
    researcher: Account;
    auditor: Account;
    nodeAdmins: Array<Account & { nodeName: string }>;
    nodeNames: string[];
    admin: Account;
    collaborationId: string;
    nodeIds: string[];
    organisationIds: string[];
    /** The PEM private key enrolled at node i as `admin-<i + 1>`. */
    adminKeyPems: string[];
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    sharedFederation: SharedFederation;
  }
}
