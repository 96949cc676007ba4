/** Who is calling: a signed-in user (access or API token) or an enrolled node (node token). */
import type { Role } from '@fedhub/protocol';

export interface UserPrincipal {
  kind: 'user';
  id: string;
  username: string;
  organisationId: string;
  roles: Role[];
  /** Signed in with a one-time password: nothing but changing it is allowed. */
  passwordChangeRequired?: true;
}

export interface NodePrincipal {
  kind: 'node';
  id: string;
  name: string;
  collaborationId: string;
  organisationId: string;
  /** base64url SPKI DER; present once enrolled (node tokens exist only after enrolment). */
  ed25519PublicKey: string;
}

/** The audit `actor` string of a principal. */
export function actorOf(p: UserPrincipal | NodePrincipal): string {
  return `${p.kind}:${p.id}`;
}
