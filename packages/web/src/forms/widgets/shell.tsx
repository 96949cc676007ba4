/** The frame every parameter widget shares: label, help text from the schema, and an example. */
import type { ReactNode } from 'react';
import { type JsonSchemaNode, metaOf } from '../field-kind.js';

/** "confLevel" -> "conf Level" -> shown as a label. */
export const labelOf = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2');

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Label, widget, description and the schema's first example. `group` renders a fieldset (several inputs). */
export function FieldShell(props: {
  id: string;
  name: string;
  s: JsonSchemaNode;
  required: boolean;
  group?: boolean;
  children: ReactNode;
}) {
  const { id, name, s, required, group } = props;
  const title = `${labelOf(name)}${required ? ' (required)' : ''}`;
  const ex = metaOf(s).examples?.[0];
  const help = (
    <>
      {/* always present: the inputs point their aria-describedby at it */}
      <small id={`${id}-help`}>{s.description ?? ''}</small>
      {ex !== undefined && typeof ex === 'object' && (
        <small className="example" data-testid={`${id}-example`}>
          Example: <code>{show(ex)}</code>
        </small>
      )}
    </>
  );
  if (group)
    return (
      <fieldset
        className="field"
        aria-describedby={s.description ? `${id}-help` : undefined}
        data-param={name}
      >
        <legend>{title}</legend>
        {props.children}
        {help}
      </fieldset>
    );
  return (
    <div className="field" data-param={name}>
      <label htmlFor={id}>{title}</label>
      {props.children}
      {help}
    </div>
  );
}
