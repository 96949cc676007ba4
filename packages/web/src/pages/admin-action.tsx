/**
 * An administrative action that needs a reason and a confirmation (every revocation is audited at the hub
 * with its reason): the first click opens a panel saying what the action does, with the reason field and
 * any extra fields; Confirm sends it, and the outcome is announced.
 */
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { errorText } from '../api/context.js';

export function AdminAction(props: {
  label: string;
  /** What happens, in the panel. */
  explanation: ReactNode;
  /** Extra fields (a new password, roles) rendered above the reason. */
  fields?: ReactNode;
  danger?: boolean;
  disabled?: boolean;
  /** Sends the action; returns the text announced afterwards. */
  run: (reason: string) => Promise<string>;
  testId?: string;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const id = useId();
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) panel.current?.focus();
  }, [open]);
  const confirm = async () => {
    if (reason.trim().length < 3) {
      setError('Give a reason (at least 3 characters): the audit trail keeps it.');
      document.getElementById(`${id}-reason`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setDone(await props.run(reason.trim()));
      setOpen(false);
      setReason('');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="admin-action">
      <button
        type="button"
        className={props.danger ? 'danger' : 'secondary'}
        disabled={props.disabled || busy}
        aria-expanded={open}
        data-testid={props.testId}
        onClick={() => {
          setDone(null);
          setOpen((o) => !o);
        }}
      >
        {props.label}
      </button>
      {done && (
        <span role="status" className="ok small">
          {' '}
          {done}
        </span>
      )}
      {open && (
        <div
          ref={panel}
          tabIndex={-1}
          role="alertdialog"
          aria-label={props.label}
          className="confirm card"
          data-testid="admin-action-panel"
        >
          <div>{props.explanation}</div>
          {props.fields}
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason (kept in the audit trail)</label>
            <input
              id={`${id}-reason`}
              value={reason}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          <div className="row wrap">
            <button
              type="button"
              className={props.danger ? 'danger' : undefined}
              disabled={busy}
              onClick={confirm}
            >
              Confirm: {props.label.toLowerCase()}
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
          {error && (
            <p id={`${id}-error`} role="alert" className="error">
              {error}
            </p>
          )}
        </div>
      )}
    </span>
  );
}
