/**
 * Empty states that say why a list is empty and what to do (issue 20): a user outside every collaboration
 * sees that this is why, and whom to ask; an empty list in a collaboration says who fills it.
 */
import type { Me } from '@fedhub/protocol';

/** For a user whose organisation takes part in no collaboration. */
export function NoCollaboration({ me }: { me: Me }) {
  return (
    <div className="notice" data-testid="empty-no-collaboration" role="note">
      <p>
        <strong>You are not in any collaboration yet</strong>, so there is nothing to see here: studies, nodes
        and results belong to collaborations, and your organisation takes part in none.
      </p>
      <p>
        Ask your hub’s administrator (who created your account, {me.username}) to add your organisation to the
        collaboration you work in. Once it is added, its studies, nodes and results appear here.
      </p>
    </div>
  );
}

/** For a collaboration member who sees no study. */
export function NoStudies({ me }: { me: Me }) {
  const researcher = me.roles.includes('researcher') || me.roles.includes('hub-admin');
  return (
    <p className="muted" data-testid="empty-no-studies">
      No study in your collaborations yet.{' '}
      {researcher
        ? 'Create one with “New study”: it says what may be analysed, at which nodes, and for how long.'
        : 'A researcher of your collaboration creates studies; they appear here once created.'}
    </p>
  );
}
