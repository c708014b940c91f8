/**
 * The protocol params form, generated from the catalog's JSON Schema (zod 4's
 * `toJSONSchema(params, { io: 'input' })`). Pure: fields to show and a local check of a
 * value against the field's schema (the protocol's zod schema lives in src/sim, which the
 * renderer does not load; the host validates again when a run starts).
 */
import { tidy } from './form-values';

/** One param of the form. */
export interface ParamField {
  /** Key in scenario.params. */
  key: string;
  /** Label shown ("Election timeout min"). */
  label: string;
  /** How it is edited. */
  kind: 'number' | 'boolean' | 'enum' | 'string' | 'list' | 'json';
  /** Unit read from the key's suffix (TigerBeetle style: ...Ms, ...Us), shown beside the field. */
  unit: '' | 'ms' | 'µs';
  /** Whole numbers only. */
  integer: boolean;
  /** Smallest allowed number (inclusive), if any. */
  min?: number;
  /** Largest allowed number (inclusive), if any. */
  max?: number;
  /** Choices of an enum. */
  options?: string[];
  /** Longest string (or list item). */
  maxLength?: number;
  /** Most list items. */
  maxItems?: number;
  /** Whether this is a bug switch (a known-wrong variant). */
  bug: boolean;
  /** The bug switch's description, when it is one. */
  bugTitle?: string;
  /**
   * What the protocol says about the param (its schema's description), shown under the field:
   * where a value means something special ("0: every shard in the topology").
   */
  note?: string;
}

type Json = Record<string, unknown>;

/** "electionTimeoutMsMin" -> { label: 'Election timeout min', unit: 'ms' }. */
export function labelOf(key: string): { label: string; unit: ParamField['unit'] } {
  const words = key
    .replace(/^bug(?=[A-Z])/, '')
    .split(/(?=[A-Z])/)
    .filter(Boolean);
  let unit: ParamField['unit'] = '';
  const u = words.findIndex((w, i) => (w === 'Ms' || w === 'Us') && i > 0);
  if (u >= 0) {
    unit = words[u] === 'Ms' ? 'ms' : 'µs';
    words.splice(u, 1);
  }
  const text = words.map((w) => w.toLowerCase()).join(' ');
  return { label: text.charAt(0).toUpperCase() + text.slice(1), unit };
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The fields of a params JSON Schema, bug switches last (in the protocol's bug order). */
export function paramFields(schema: Json, bugs: readonly { param: string; title: string }[]): ParamField[] {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const bugTitle = new Map(bugs.map((b) => [b.param, b.title]));
  const fields: ParamField[] = [];
  for (const [key, p] of Object.entries(props)) {
    const { label, unit } = labelOf(key);
    const type = p.type;
    const f: ParamField = {
      key,
      label,
      unit,
      kind: 'json',
      integer: type === 'integer',
      bug: bugTitle.has(key),
      ...(bugTitle.has(key) ? { bugTitle: bugTitle.get(key) } : {}),
      ...(typeof p.description === 'string' && p.description ? { note: p.description } : {}),
    };
    if (Array.isArray(p.enum)) {
      f.kind = 'enum';
      f.options = p.enum.map(String);
    } else if (type === 'number' || type === 'integer') {
      f.kind = 'number';
      if (typeof p.minimum === 'number') f.min = p.minimum;
      if (typeof p.maximum === 'number' && p.maximum < MAX_SAFE) f.max = p.maximum;
      // Exclusive bounds are kept as such by check(); shown as the inclusive ones nearby.
      if (typeof p.exclusiveMinimum === 'number') f.min = p.exclusiveMinimum;
      if (typeof p.exclusiveMaximum === 'number') f.max = p.exclusiveMaximum;
    } else if (type === 'boolean') f.kind = 'boolean';
    else if (type === 'string') {
      f.kind = 'string';
      if (typeof p.maxLength === 'number') f.maxLength = p.maxLength;
    } else if (type === 'array' && (p.items as Json | undefined)?.type === 'string') {
      f.kind = 'list';
      if (typeof p.maxItems === 'number') f.maxItems = p.maxItems;
      const ml = (p.items as Json).maxLength;
      if (typeof ml === 'number') f.maxLength = ml;
    }
    fields.push(f);
  }
  const order = (f: ParamField) => (f.bug ? bugs.findIndex((b) => b.param === f.key) : -1);
  return fields
    .map((f, i) => ({ f, i }))
    .sort((x, y) => (x.f.bug === y.f.bug ? order(x.f) - order(y.f) || x.i - y.i : x.f.bug ? 1 : -1))
    .map((x) => x.f);
}

/** The JSON Schema of one property, for exclusive bounds. */
function prop(schema: Json, key: string): Json {
  return ((schema.properties ?? {}) as Record<string, Json>)[key] ?? {};
}

/** The text a field shows for a stored value. */
export function paramText(f: ParamField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (f.kind === 'list') return Array.isArray(value) ? value.join(', ') : '';
  if (f.kind === 'json') return JSON.stringify(value);
  return String(value);
}

/**
 * The value a field's text stands for, or why it is refused. Checks type, integer, bounds,
 * enum membership, lengths: what the JSON Schema says.
 */
export function parseParam(
  schema: Json,
  f: ParamField,
  input: string | boolean,
): { value: unknown } | { error: string } {
  if (f.kind === 'boolean') return { value: input === true };
  const text = String(input);
  switch (f.kind) {
    case 'number': {
      const t = text.trim();
      if (t === '') return { error: 'Enter a number.' };
      const n = Number(t);
      if (!Number.isFinite(n)) return { error: `"${t}" is not a number.` };
      if (f.integer && !Number.isInteger(n)) return { error: 'Must be a whole number.' };
      const p = prop(schema, f.key);
      const u = f.unit ? ` ${f.unit}` : '';
      if (typeof p.minimum === 'number' && n < p.minimum)
        return { error: `Must be at least ${tidy(p.minimum)}${u}.` };
      if (typeof p.exclusiveMinimum === 'number' && n <= p.exclusiveMinimum)
        return { error: `Must be more than ${tidy(p.exclusiveMinimum)}${u}.` };
      if (typeof p.maximum === 'number' && n > p.maximum)
        return { error: `Must be at most ${tidy(p.maximum)}${u}.` };
      if (typeof p.exclusiveMaximum === 'number' && n >= p.exclusiveMaximum)
        return { error: `Must be less than ${tidy(p.exclusiveMaximum)}${u}.` };
      return { value: n };
    }
    case 'enum':
      return f.options?.includes(text)
        ? { value: text }
        : { error: `Choose one of ${f.options?.join(', ')}.` };
    case 'string':
      if (f.maxLength !== undefined && text.length > f.maxLength)
        return { error: `At most ${f.maxLength} characters.` };
      return { value: text };
    case 'list': {
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (f.maxItems !== undefined && items.length > f.maxItems)
        return { error: `At most ${f.maxItems} items.` };
      const long =
        f.maxLength === undefined ? undefined : items.find((s) => s.length > (f.maxLength as number));
      if (long !== undefined)
        return { error: `"${long.slice(0, 20)}…" is longer than ${f.maxLength} characters.` };
      return { value: items };
    }
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { error: 'Not valid JSON.' };
      }
    default:
      return { error: 'Unsupported field.' };
  }
}
