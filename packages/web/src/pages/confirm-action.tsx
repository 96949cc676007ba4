/**
 * A button whose action needs confirming in place: the first click shows what the action does (scope,
 * whether it can be undone) with Confirm and Cancel; focus moves to the question and back on cancel.
 */
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';

export function ConfirmAction(props: {
  label: string;
  confirmLabel: string;
  /** What happens, shown before anything is sent. */
  explanation: ReactNode;
  className?: string;
  disabled?: boolean;
  /** Runs before the question is shown; return false to not show it (e.g. a missing reason). */
  precheck?: () => boolean;
  onConfirm: () => void | Promise<void>;
  testId?: string;
}) {
  const [asking, setAsking] = useState(false);
  const id = useId();
  const question = useRef<HTMLDivElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) question.current?.focus();
  }, [asking]);
  return (
    <>
      <button
        ref={opener}
        type="button"
        className={props.className}
        disabled={props.disabled}
        aria-expanded={asking}
        aria-controls={asking ? id : undefined}
        data-testid={props.testId}
        onClick={() => {
          if (props.precheck && !props.precheck()) return;
          setAsking(true);
        }}
      >
        {props.label}
      </button>
      {asking && (
        <div
          id={id}
          ref={question}
          tabIndex={-1}
          role="alertdialog"
          aria-label={`Confirm: ${props.label}`}
          className="confirm card"
          data-testid="confirm-action"
        >
          <div>{props.explanation}</div>
          <div className="row wrap">
            <button
              type="button"
              className={props.className}
              disabled={props.disabled}
              onClick={() => {
                setAsking(false);
                void props.onConfirm();
              }}
            >
              {props.confirmLabel}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setAsking(false);
                opener.current?.focus();
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      )}
    </>
  );
}
