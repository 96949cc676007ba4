/**
 * The node administrator's signing key in the inbox: the PEM file `fedhub node admins keygen` wrote and
 * the name it was enrolled under at the node (`fedhub node admins add`). The key is imported as a
 * non-extractable WebCrypto key and kept in this tab's memory only; every decision taken in the inbox
 * is then signed with it (api/admin-signing.ts), which is what the node requires to apply it.
 */
import { useState } from 'react';
import { currentAdminKey, loadAdminKey, setCurrentAdminKey } from '../api/admin-signing.js';

export function AdminKeyPanel() {
  const [name, setName] = useState(currentAdminKey()?.keyName ?? '');
  const [loadedAs, setLoadedAs] = useState<string | null>(currentAdminKey()?.keyName ?? null);
  const [error, setError] = useState<string | null>(null);
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    try {
      const k = await loadAdminKey(name, await file.text());
      setCurrentAdminKey(k);
      setLoadedAs(k.keyName);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="admin-key" data-testid="admin-key-panel">
      <h2 id="admin-key">Your administrator key</h2>
      {loadedAs ? (
        <p data-testid="admin-key-loaded">
          Decisions are signed with the key <strong>{loadedAs}</strong> (kept in this tab only).{' '}
          <button
            type="button"
            onClick={() => {
              setCurrentAdminKey(null);
              setLoadedAs(null);
            }}
          >
            Forget the key
          </button>
        </p>
      ) : (
        <>
          <p className="muted small">
            A node applies a decision taken here only when it is signed with an administrator key enrolled at
            the node. Load your private key file (<code>fedhub node admins keygen</code>); it stays in this
            tab's memory and is never sent.
          </p>
          <label>
            Key name at the node{' '}
            <input value={name} onChange={(e) => setName(e.target.value)} data-testid="admin-key-name" />
          </label>{' '}
          <label>
            Private key file{' '}
            <input
              type="file"
              accept=".key,.pem"
              data-testid="admin-key-file"
              onChange={(e) => void onFile(e.target.files?.[0])}
            />
          </label>
        </>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
