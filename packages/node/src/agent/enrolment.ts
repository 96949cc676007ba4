/** Enrolment: the stored credentials when they are for this hub, otherwise the one-time enrolment token. */
import { FedhubError } from '@fedhub/protocol';
import type { NodeApiClient } from '@fedhub/sdk';
import type { Logger } from 'pino';
import type { NodeConfig } from '../config.js';
import type { CredentialsStore } from '../credentials-store.js';
import type { CheckpointStore } from '../governance/checkpoint-store.js';
import type { NodeIdentity } from './identity.js';
import type { WithRetry } from './work-loop.js';

export interface EnrolmentDeps {
  config: Pick<NodeConfig, 'hub'>;
  client: NodeApiClient;
  credentials: CredentialsStore;
  checkpoints: CheckpointStore;
  identity: NodeIdentity;
  withRetry: WithRetry;
  log: Logger;
  version: string;
}

/** Sets the client's token and fills `identity`; enrols with the hub first when not enrolled with it. */
export async function enrol(d: EnrolmentDeps): Promise<void> {
  const { client, credentials, identity } = d;
  const existing = credentials.credentials();
  const keys = credentials.keys();
  if (existing && existing.hubUrl === client.baseUrl) {
    client.setToken(existing.nodeToken);
    identity.nodeId = existing.nodeId;
    identity.nodeName = existing.nodeName;
    identity.organisationId = existing.organisationId;
    return;
  }
  const token = d.config.hub.enrolmentToken;
  if (!token)
    throw new FedhubError(
      'FH_ERR_ENROLMENT',
      `node is not enrolled with ${client.baseUrl}: set hub.enrolmentToken (or enrolmentTokenFile) in the config`,
    );
  const res = await d.withRetry('enrolment', () =>
    client.enrol({
      enrolmentToken: token,
      publicKeys: { x25519: keys.x25519.publicKey, ed25519: keys.ed25519.publicKey },
      version: d.version,
    }),
  );
  credentials.saveCredentials({
    hubUrl: client.baseUrl,
    nodeId: res.nodeId,
    nodeName: res.nodeName,
    collaborationId: res.collaborationId,
    nodeToken: res.nodeToken,
    ...(res.organisationId ? { organisationId: res.organisationId } : {}),
  });
  identity.organisationId = res.organisationId;
  // trust on first use: the key the hub gives at enrolment signs its checkpoints and relayed decisions
  if (res.hubPublicKey) d.checkpoints.trustOnFirstUse(res.hubPublicKey);
  client.setToken(res.nodeToken);
  identity.nodeId = res.nodeId;
  identity.nodeName = res.nodeName;
  d.log.info({ nodeId: res.nodeId, nodeName: res.nodeName }, 'enrolled with the hub');
}
