/**
 * Sets up a federation through the hub API, as an operator would: one organisation per hospital, a
 * collaboration of them, one node per hospital with its one-time enrolment token, and a study.
 */
import type { Collaboration, HubNode, Study } from '@fedhub/protocol';
import type { HubClient } from '@fedhub/sdk';

export interface HospitalSpec {
  name: string;
}

export interface FederationHandles {
  collaboration: Collaboration;
  nodes: Array<{ hospital: string; node: HubNode; enrolmentToken: string }>;
}

export async function createFederation(
  admin: HubClient,
  hospitals: HospitalSpec[],
  collaborationName: string,
): Promise<FederationHandles> {
  const orgs = [];
  for (const h of hospitals) orgs.push(await admin.createOrganisation({ name: h.name }));
  const collaboration = await admin.createCollaboration({
    name: collaborationName,
    organisationIds: orgs.map((o) => o.id),
  });
  const nodes = [];
  for (const [i, h] of hospitals.entries()) {
    const created = await admin.createNode({
      collaborationId: collaboration.id,
      organisationId: orgs[i]!.id,
      name: h.name,
    });
    nodes.push({ hospital: h.name, node: created.node, enrolmentToken: created.enrolmentToken });
  }
  return { collaboration, nodes };
}

/** Waits until every node has enrolled and sent a heartbeat. */
export async function waitForNodesOnline(
  admin: HubClient,
  collaborationId: string,
  count: number,
  timeoutMs = 60_000,
): Promise<HubNode[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const nodes = await admin.listNodes(collaborationId);
    const online = nodes.filter((n) => n.status === 'online');
    if (online.length >= count) return online;
    if (Date.now() > deadline)
      throw new Error(
        `only ${online.length} of ${count} nodes came online within ${timeoutMs / 1000} s: ${nodes.map((n) => `${n.name}=${n.status}`).join(', ')}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function createStudy(
  admin: HubClient,
  collaborationId: string,
  title: string,
  purpose: string,
): Promise<Study> {
  return admin.createStudy({ collaborationId, title, purpose });
}
