/** Administration (hub-admin): users, organisations, collaborations and nodes, one section at a time. */
import { AdminCollaborations, AdminNodes, AdminOrganisations } from './admin-federation.js';
import { AdminUsers } from './admin-users.js';

export const ADMIN_SECTIONS = ['users', 'organisations', 'collaborations', 'nodes'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export function Admin({ section }: { section: AdminSection }) {
  return (
    <section>
      <h1>Administration</h1>
      <nav aria-label="Administration">
        <ul className="row wrap plain">
          {ADMIN_SECTIONS.map((s) => (
            <li key={s}>
              <a href={`#/admin/${s}`} aria-current={s === section ? 'page' : undefined}>
                {s[0]!.toUpperCase() + s.slice(1)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {section === 'users' && <AdminUsers />}
      {section === 'organisations' && <AdminOrganisations />}
      {section === 'collaborations' && <AdminCollaborations />}
      {section === 'nodes' && <AdminNodes />}
    </section>
  );
}
