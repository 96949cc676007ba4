/** The dashboard shell: sign-in, session restore, role navigation and the page router. */
import type { Me } from '@fedhub/protocol';
import { HubClient } from '@fedhub/sdk';
import { useEffect, useMemo, useState } from 'react';
import { AuditApi } from './api/audit.js';
import { errorText, type Session, SessionContext } from './api/context.js';
import { useHashRoute } from './api/hooks.js';
import {
  adoptLinkToken,
  clearTokens,
  clientFor,
  readTokens,
  SESSION_KEYS,
  tokenFromFragment,
  writeTokens,
} from './api/session.js';
import { Admin } from './pages/admin.js';
import { Audit } from './pages/audit.js';
import { Federation } from './pages/federation.js';
import { Inbox } from './pages/inbox.js';
import { ModelCardPage } from './pages/model-card.js';
import { MyTasks } from './pages/my-tasks.js';
import { OnnxModelPage, OnnxModels } from './pages/onnx-models.js';
import { OnnxRegister } from './pages/onnx-register.js';
import { RunAnalysis } from './pages/run-analysis.js';
import { SignIn } from './pages/sign-in.js';
import { NewStudy, Studies } from './pages/studies.js';
import { StudyPage } from './pages/study-page.js';
import { TaskPage } from './pages/task-page.js';
import { navFor, parseRoute, type Route } from './routes.js';

const origin = () => window.location.origin;

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'studies':
      return <Studies />;
    case 'new-study':
      return <NewStudy />;
    case 'study':
      // keyed apart from the edit route, so that leaving the wizard loads the saved study afresh
      return <StudyPage key="view" id={route.id} />;
    case 'edit-study':
      return <StudyPage key="edit" id={route.id} edit />;
    case 'model':
      return <ModelCardPage name={route.name} version={route.version} />;
    case 'onnx-models':
      return <OnnxModels />;
    case 'onnx-register':
      return <OnnxRegister />;
    case 'onnx-model':
      return (
        <OnnxModelPage key={`${route.name}@${route.version}`} name={route.name} version={route.version} />
      );
    case 'inbox':
      return <Inbox />;
    case 'run':
      // keyed by the query, so that "edit and re-run" of another task starts a fresh form
      return <RunAnalysis key={JSON.stringify(route)} {...route} />;
    case 'my-tasks':
      return <MyTasks />;
    case 'task':
      return <TaskPage id={route.id} />;
    case 'audit':
      return <Audit />;
    case 'admin':
      return <Admin section={route.section} />;
    default:
      return <Federation />;
  }
}

/** The whole dashboard. */
export function App() {
  const [client, setClient] = useState<HubClient | null>(null);
  const [me, setMe] = useState<Me | null>(null);
  const [restoring, setRestoring] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);
  const hash = useHashRoute();

  // restore a session: a sign-in link's fragment token first, then sessionStorage
  useEffect(() => {
    const linkToken = tokenFromFragment(window.location.hash);
    let linkIgnored = false;
    if (linkToken) {
      linkIgnored = adoptLinkToken(sessionStorage, linkToken) === 'ignored-signed-in';
      // drop the token from the address bar and history
      history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/federation`);
    }
    const tokens = readTokens(sessionStorage);
    if (!tokens) {
      setRestoring(false);
      return;
    }
    const c = clientFor(origin(), sessionStorage, tokens);
    c.me()
      .then((m) => {
        setClient(c);
        setMe(m);
        if (linkIgnored)
          setNotice(
            `A sign-in link was opened while you are signed in as ${m.username}; it was ignored. Sign out first to use it.`,
          );
      })
      .catch((e: unknown) => {
        clearTokens(sessionStorage);
        setNotice(`Your session has ended (${errorText(e)}). Please sign in again.`);
      })
      .finally(() => setRestoring(false));
  }, []);

  const signIn = async (username: string, password: string) => {
    const c = new HubClient({ baseUrl: origin(), onTokens: (p) => writeTokens(sessionStorage, p) });
    await c.login(username, password);
    const m = await c.me();
    setNotice(null);
    setClient(c);
    setMe(m);
  };

  // after a navigation, move focus to the new page so keyboard and screen-reader users start there
  useEffect(() => {
    if (hash) document.getElementById('main')?.focus();
  }, [hash]);

  const session = useMemo<Session | null>(() => {
    if (!client || !me) return null;
    const token = () => sessionStorage.getItem(SESSION_KEYS.access) ?? undefined;
    return {
      client,
      me,
      audit: new AuditApi(client),
      accessToken: token,
      signOut: () => {
        client.logout().catch(() => undefined);
        clearTokens(sessionStorage);
        setClient(null);
        setMe(null);
        window.location.hash = '';
      },
    };
  }, [client, me]);

  if (restoring) return <p aria-live="polite">Loading…</p>;
  if (!session)
    return (
      <>
        {notice && (
          <p role="status" className="notice">
            {notice}
          </p>
        )}
        <SignIn onSignIn={signIn} />
      </>
    );
  const route = parseRoute(hash);
  const nav = navFor(session.me.roles);
  const section =
    route.page === 'study' ||
    route.page === 'new-study' ||
    route.page === 'edit-study' ||
    route.page === 'task' ||
    route.page === 'model'
      ? 'studies'
      : route.page === 'onnx-model' || route.page === 'onnx-register'
        ? 'onnx-models'
        : route.page;
  return (
    <SessionContext.Provider value={session}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">fedhub</span>
        <nav aria-label="Main">
          <ul>
            {nav.map((n) => (
              <li key={n.href}>
                <a href={n.href} aria-current={n.section === section ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="user" data-testid="signed-in-as">
          {session.me.username} ({session.me.roles.join(', ')})
        </span>
        <button type="button" onClick={session.signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {notice && (
          <p role="status" className="notice" data-testid="session-notice">
            {notice}
          </p>
        )}
        <Page route={route} />
      </main>
    </SessionContext.Provider>
  );
}
