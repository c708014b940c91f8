/**
 * Number fields over a plain object validated by a zod schema from src/shared: each field
 * shows a (possibly nested) number in its display unit, and a change is applied only when
 * the whole object still passes the schema.
 */
import type { z } from 'zod';
import { fieldError, tidy } from '../../graph/form-values';
import { NumberField } from './fields';

/** One number of the object. */
export interface NumSpec {
  /** Path to the number ('keys.count' style paths are arrays). */
  path: string[];
  /** Label shown. */
  label: string;
  /** Unit shown after the value. */
  unit?: string;
  /** Stored value / shown value: 1000 for µs shown in ms, 0.01 for a probability in %. */
  scale?: number;
  /** Stored as an integer (µs). */
  int?: boolean;
  /** May be left empty (the key is then removed). */
  optional?: boolean;
  /** Tooltip on the label. */
  hint?: string;
}

function getIn(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const k of path) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur;
}

function setIn<T>(obj: T, path: readonly string[], value: unknown): T {
  const [k, ...rest] = path;
  if (k === undefined) return value as T;
  const o = { ...(obj as Record<string, unknown>) };
  if (rest.length === 0) {
    if (value === undefined) delete o[k];
    else o[k] = value;
  } else o[k] = setIn(o[k], rest, value);
  return o as T;
}

/** A stored number as shown. */
export function shown(obj: unknown, spec: NumSpec): number | undefined {
  const v = getIn(obj, spec.path);
  return typeof v === 'number' ? tidy(v / (spec.scale ?? 1)) : undefined;
}

/**
 * Checks the object with one number changed; applies it and returns null, or returns the
 * message to show. Exported for the node and link forms.
 */
export function commitNumber<S extends z.ZodType>(
  schema: S,
  obj: z.input<S>,
  spec: NumSpec,
  shownValue: number | undefined,
  apply: (next: z.output<S>) => void,
): string | null {
  let stored: number | undefined;
  if (shownValue !== undefined) {
    stored = tidy(shownValue * (spec.scale ?? 1));
    if (spec.int) stored = Math.round(stored);
  }
  const candidate = setIn(obj, spec.path, stored);
  const r = schema.safeParse(candidate);
  if (!r.success) {
    const issue = r.error.issues.find((i) => i.path.join('.') === spec.path.join('.')) ?? r.error.issues[0];
    return fieldError(
      issue ? ({ issues: [issue] } as z.ZodError) : undefined,
      '',
      spec.scale ?? 1,
      spec.unit,
    );
  }
  apply(r.data);
  return null;
}

/** The number fields of an object. */
export function ObjectFields<S extends z.ZodType>({
  schema,
  value,
  specs,
  apply,
}: {
  schema: S;
  value: z.input<S>;
  specs: readonly NumSpec[];
  apply: (next: z.output<S>, key: string) => void;
}) {
  return (
    <>
      {specs.map((spec) => (
        <NumberField
          key={spec.path.join('.')}
          label={spec.label}
          unit={spec.unit}
          hint={spec.hint}
          optional={spec.optional}
          value={shown(value, spec)}
          commit={(v) => commitNumber(schema, value, spec, v, (next) => apply(next, spec.path.join('.')))}
        />
      ))}
    </>
  );
}
