/**
 * Form fields for the inspector. A field shows the stored value until the person types; each
 * keystroke is parsed and checked, and only a valid value is applied (`commit` returns the
 * reason it refused, shown under the field). Leaving the field (or Esc) shows the stored
 * value again, so what a field shows after editing is always what the scenario holds.
 */
import { type ReactNode, useId, useState } from 'react';
import { parseNumber } from '../../graph/form-values';

/** Label, control, optional unit and hint, and the message under the field. */
function Frame({
  id,
  label,
  unit,
  error,
  errorId,
  hint,
  children,
  wide,
  note,
}: {
  id: string;
  label: string;
  unit?: string;
  error: string | null;
  errorId: string;
  hint?: string;
  children: ReactNode;
  wide?: boolean;
  note?: { id: string; text: string };
}) {
  return (
    <div className={`ff${wide ? ' ff-wide' : ''}${error ? ' has-error' : ''}`}>
      <label className="ff-label" htmlFor={id} title={hint}>
        {label}
      </label>
      <div className="ff-control">
        {children}
        {unit ? (
          <span className="ff-unit" aria-hidden="true">
            {unit}
          </span>
        ) : null}
      </div>
      {note && (
        <p className="ff-note" id={note.id}>
          {note.text}
        </p>
      )}
      {error && (
        <p className="ff-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A text field whose text is parsed and committed as you type (numbers, strings, lists). */
export function TextField({
  label,
  text,
  commit,
  unit,
  hint,
  wide,
  numeric,
  disabled,
  placeholder,
  note,
}: {
  /** Label shown above (and the accessible name, with the unit). */
  label: string;
  /** The stored value as text. */
  text: string;
  /** Applies the text; returns why it was refused, or null when applied. */
  commit: (text: string) => string | null;
  /** Unit shown after the value. */
  unit?: string;
  /** Tooltip on the label. */
  hint?: string;
  /** Spans both columns of the form grid. */
  wide?: boolean;
  /** Numeric keyboard and right-aligned digits. */
  numeric?: boolean;
  /** Read-only for now. */
  disabled?: boolean;
  /** Shown while empty. */
  placeholder?: string;
  /** A line under the field (its accessible description): what a value means. */
  note?: string;
}) {
  const id = useId();
  const errorId = useId();
  const noteId = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const described = [note ? noteId : '', error ? errorId : ''].filter(Boolean).join(' ');
  const revert = () => {
    setDraft(null);
    setError(null);
  };
  return (
    <Frame
      id={id}
      label={label}
      unit={unit}
      error={error}
      errorId={errorId}
      hint={hint}
      wide={wide}
      note={note ? { id: noteId, text: note } : undefined}
    >
      <input
        id={id}
        className={`input${numeric ? ' num-input' : ''}`}
        value={draft ?? text}
        inputMode={numeric ? 'decimal' : undefined}
        spellCheck={false}
        disabled={disabled}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        aria-label={unit ? `${label} (${unit})` : undefined}
        onChange={(e) => {
          const t = e.target.value;
          setDraft(t);
          setError(commit(t));
        }}
        onBlur={revert}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && draft !== null) {
            e.stopPropagation();
            revert();
          }
        }}
      />
    </Frame>
  );
}

/** A number field: parses the text, then `commit` checks and applies the number. */
export function NumberField({
  value,
  commit,
  optional,
  ...rest
}: {
  label: string;
  /** The stored value in the unit shown (undefined when unset). */
  value: number | undefined;
  /** Applies a number; returns why it was refused, or null. */
  commit: (value: number | undefined) => string | null;
  /** Whether the field may be left empty (unset). */
  optional?: boolean;
  unit?: string;
  hint?: string;
  wide?: boolean;
  disabled?: boolean;
}) {
  return (
    <TextField
      {...rest}
      placeholder={optional ? 'none' : undefined}
      numeric
      text={value === undefined ? '' : String(value)}
      commit={(t) => {
        const p = parseNumber(t, optional);
        return 'error' in p ? p.error : commit(p.value);
      }}
    />
  );
}

/** A select over fixed options; every option is valid, so it commits at once. */
export function SelectField({
  label,
  value,
  options,
  onChange,
  hint,
  wide,
}: {
  label: string;
  value: string;
  options: readonly { id: string; label: string }[];
  onChange: (value: string) => void;
  hint?: string;
  wide?: boolean;
}) {
  const id = useId();
  return (
    <Frame id={id} label={label} error={null} errorId="" hint={hint} wide={wide}>
      <select id={id} className="select" value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </select>
    </Frame>
  );
}

/** A checkbox spanning the form's width. */
export function CheckField({
  label,
  checked,
  onChange,
  hint,
  bug,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** A longer description under the label. */
  hint?: string;
  /** Marks a bug switch (a known-wrong variant). */
  bug?: boolean;
}) {
  return (
    <label className={`ff-check${bug ? ' is-bug' : ''}${checked && bug ? ' is-on' : ''}`}>
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span className="ff-check-text">
        <span className="ff-check-label">
          {bug && <span className="bug-tag">bug</span>}
          {label}
        </span>
        {hint && <span className="ff-check-hint">{hint}</span>}
      </span>
    </label>
  );
}

/** A titled, collapsible group of fields (native details: keyboard-operable). */
export function Section({
  title,
  children,
  open = true,
  note,
}: {
  title: string;
  children: ReactNode;
  open?: boolean;
  /** A line under the title. */
  note?: ReactNode;
}) {
  return (
    <details className="fsec" open={open}>
      <summary className="fsec-title">{title}</summary>
      {note && <p className="fsec-note">{note}</p>}
      <div className="fgrid">{children}</div>
    </details>
  );
}
