/**
 * Where the CLI keeps a signed-in session: `$FEDHUB_SESSION_FILE`, else `~/.config/fedhub/session.json`,
 * written with mode 0600. `FEDHUB_TOKEN` (an API token) and `FEDHUB_HUB_URL` override it for scripts.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { FedhubError } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';

export interface Session {
  hubUrl: string;
  accessToken?: string;
  refreshToken?: string;
  username?: string;
}

export function sessionPath(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.FEDHUB_SESSION_FILE ??
    join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'fedhub', 'session.json')
  );
}

export function readSession(env: NodeJS.ProcessEnv = process.env): Session | undefined {
  const p = sessionPath(env);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Session;
  } catch {
    return undefined;
  }
}

export function writeSession(s: Session, env: NodeJS.ProcessEnv = process.env): void {
  const p = sessionPath(env);
  mkdirSync(dirname(p), { recursive: true, mode: 0o700 });
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, p);
}

/** A client for the hub named by --hub / FEDHUB_HUB_URL / the session, authenticated by FEDHUB_TOKEN or the session. */
export function clientFromEnvironment(
  opts: { hub?: string },
  env: NodeJS.ProcessEnv = process.env,
): HubClient {
  const session = readSession(env);
  const hubUrl = opts.hub ?? env.FEDHUB_HUB_URL ?? session?.hubUrl;
  if (!hubUrl)
    throw new FedhubError(
      'FH_ERR_UNAUTHENTICATED',
      'no hub given: pass --hub URL, set FEDHUB_HUB_URL, or run `fedhub login` first',
    );
  if (env.FEDHUB_TOKEN) return new HubClient({ baseUrl: hubUrl, token: env.FEDHUB_TOKEN });
  if (!session || session.hubUrl.replace(/\/+$/, '') !== hubUrl.replace(/\/+$/, '') || !session.accessToken)
    throw new FedhubError(
      'FH_ERR_UNAUTHENTICATED',
      `not signed in to ${hubUrl}: run \`fedhub login --hub ${hubUrl} --username NAME\` or set FEDHUB_TOKEN`,
    );
  return new HubClient({
    baseUrl: hubUrl,
    token: session.accessToken,
    refreshToken: session.refreshToken,
    onTokens: (t) =>
      writeSession({ ...session, accessToken: t.accessToken, refreshToken: t.refreshToken }, env),
  });
}
