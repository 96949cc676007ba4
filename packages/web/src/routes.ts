/** The dashboard's hash routes and which roles see which section. */
import type { Role } from '@fedhub/protocol';

/** A parsed route. */
export type Route =
  | { page: 'federation' }
  | { page: 'studies' }
  | { page: 'new-study' }
  | { page: 'study'; id: string }
  | { page: 'edit-study'; id: string }
  | { page: 'model'; name: string; version: number }
  | { page: 'inbox' }
  | { page: 'onnx-models' }
  | { page: 'onnx-register' }
  | { page: 'onnx-model'; name: string; version: string }
  | {
      page: 'run';
      studyId?: string;
      /** Edit and re-run: the task whose parameters prefill the form. */
      from?: string;
      algorithm?: string;
      /** Validate this model: a registered version ("name@version") or a fitting task's id. */
      model?: string;
      modelTask?: string;
      /** Validate this ONNX model: a registered ONNX model ("name@version"). */
      onnx?: string;
    }
  | { page: 'my-tasks' }
  | { page: 'task'; id: string }
  | { page: 'audit' }
  | { page: 'admin'; section: 'users' | 'organisations' | 'collaborations' | 'nodes' };

/** Parses a hash path ("/studies/<id>", "/run?study=<id>"); anything unknown is the federation page. */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const q = new URLSearchParams(query);
  switch (parts[0]) {
    case 'studies':
      if (parts[1] === 'new') return { page: 'new-study' };
      if (parts[1] && parts[2] === 'edit') return { page: 'edit-study', id: parts[1] };
      return parts[1] ? { page: 'study', id: parts[1] } : { page: 'studies' };
    case 'models': {
      const version = Number(parts[2]);
      return parts[1] && Number.isInteger(version) && version > 0
        ? { page: 'model', name: decodeURIComponent(parts[1]), version }
        : { page: 'studies' };
    }
    case 'onnx-models':
      if (parts[1] === 'new') return { page: 'onnx-register' };
      return parts[1] && parts[2]
        ? {
            page: 'onnx-model',
            name: decodeURIComponent(parts[1]),
            version: decodeURIComponent(parts[2]),
          }
        : { page: 'onnx-models' };
    case 'inbox':
      return { page: 'inbox' };
    case 'run': {
      const r: Extract<Route, { page: 'run' }> = { page: 'run' };
      for (const [key, param] of [
        ['studyId', 'study'],
        ['from', 'from'],
        ['algorithm', 'algorithm'],
        ['model', 'model'],
        ['modelTask', 'modelTask'],
        ['onnx', 'onnx'],
      ] as const) {
        const v = q.get(param);
        if (v) r[key] = v;
      }
      return r;
    }
    case 'my-tasks':
      return { page: 'my-tasks' };
    case 'tasks':
      return parts[1] ? { page: 'task', id: parts[1] } : { page: 'studies' };
    case 'audit':
      return { page: 'audit' };
    case 'admin': {
      const section = parts[1];
      return section === 'organisations' || section === 'collaborations' || section === 'nodes'
        ? { page: 'admin', section }
        : { page: 'admin', section: 'users' };
    }
    default:
      return { page: 'federation' };
  }
}

/** A navigation entry. */
export interface NavItem {
  href: string;
  label: string;
  section: Route['page'];
}

/** The navigation a user with `roles` gets (hub-admin sees everything). */
export function navFor(roles: readonly Role[]): NavItem[] {
  const has = (...r: Role[]) => roles.includes('hub-admin') || r.some((x) => roles.includes(x));
  const items: NavItem[] = [{ href: '#/federation', label: 'Federation', section: 'federation' }];
  if (has('researcher', 'node-admin'))
    items.push({ href: '#/studies', label: 'Studies', section: 'studies' });
  if (has('researcher')) items.push({ href: '#/run', label: 'Run analysis', section: 'run' });
  if (has('researcher')) items.push({ href: '#/my-tasks', label: 'My tasks', section: 'my-tasks' });
  if (has('researcher')) items.push({ href: '#/onnx-models', label: 'ONNX models', section: 'onnx-models' });
  if (has('node-admin')) items.push({ href: '#/inbox', label: 'Approvals inbox', section: 'inbox' });
  if (has('auditor')) items.push({ href: '#/audit', label: 'Audit', section: 'audit' });
  if (roles.includes('hub-admin'))
    items.push({ href: '#/admin/users', label: 'Administration', section: 'admin' });
  return items;
}
