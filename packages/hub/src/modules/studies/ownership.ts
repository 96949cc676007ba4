/**
 * Who may change what of a study (issue 15, item 4). A study belongs to an organisation and a researcher
 * (its creator). The rule is the simplest that holds: the owning organisation decides about its study.
 * - change (PATCH): the owning researcher or a researcher of the owning organisation; nobody else, not
 *   even the hub-admin (the hub operator coordinates, it does not redefine another organisation's
 *   processing);
 * - stop: a researcher of the owning organisation, or the hub-admin (stopping only ever narrows);
 * - cancel a task: who submitted it, a researcher of the study's owning organisation, or the hub-admin.
 * Everyone else gets FH_ERR_FORBIDDEN naming the owner organisation's id (never its members).
 */
import { FedhubError, type Study } from '@fedhub/protocol';
import type { UserPrincipal } from '../../access/principal.js';

const isHubAdmin = (user: UserPrincipal) => user.roles.includes('hub-admin');

function ownedByOrganisationOf(user: UserPrincipal, study: Pick<Study, 'owner' | 'createdBy'>): boolean {
  // studies from before migration 0008 whose creator has since gone keep only their creator as owner
  if (!study.owner) return study.createdBy === user.id;
  if (study.owner.userId === user.id) return true;
  return study.owner.organisationId === user.organisationId && user.roles.includes('researcher');
}

function forbidden(what: string, study: Pick<Study, 'id' | 'owner'>, who: string): FedhubError {
  return new FedhubError(
    'FH_ERR_FORBIDDEN',
    `only ${who} may ${what} study ${study.id}${study.owner ? ` (owned by organisation ${study.owner.organisationId})` : ''}`,
    { studyId: study.id, ownerOrganisationId: study.owner?.organisationId ?? null },
  );
}

/** Throws unless `user` may change the study. */
export function requireStudyEditor(
  user: UserPrincipal,
  study: Pick<Study, 'id' | 'owner' | 'createdBy'>,
): void {
  if (!ownedByOrganisationOf(user, study))
    throw forbidden('change', study, "a researcher of the study's owning organisation");
}

/** Throws unless `user` may stop the study. */
export function requireStudyStopper(
  user: UserPrincipal,
  study: Pick<Study, 'id' | 'owner' | 'createdBy'>,
): void {
  if (isHubAdmin(user) || ownedByOrganisationOf(user, study)) return;
  throw forbidden('stop', study, "a researcher of the study's owning organisation or the hub-admin");
}

/** Throws unless `user` may cancel a task of the study submitted by `submittedBy`. */
export function requireTaskCanceller(
  user: UserPrincipal,
  study: Pick<Study, 'id' | 'owner' | 'createdBy'>,
  submittedBy: string,
): void {
  if (submittedBy === user.id || isHubAdmin(user) || ownedByOrganisationOf(user, study)) return;
  throw new FedhubError(
    'FH_ERR_FORBIDDEN',
    "only who submitted the task, a researcher of the study's owning organisation or the hub-admin may cancel it",
    { studyId: study.id },
  );
}
