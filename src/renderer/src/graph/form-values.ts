/**
 * Conversions between what the inspector's forms show and what the scenario stores, and the
 * message shown under a field when zod refuses a value. Pure, unit-tested.
 *
 * The forms show latencies and clock offsets in milliseconds and rates in percent; the
 * scenario stores integer microseconds and probabilities (src/shared/scenario/schema.ts).
 */
import type { z } from 'zod';
import type { Latency } from '../../../shared/scenario/schema';

/** Drops binary floating-point noise (0.1 * 3 -> 0.3) for display. */
export function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** Microseconds as milliseconds for a form. */
export const usToMs = (us: number): number => tidy(us / 1000);
/** Milliseconds from a form as integer microseconds (the scenario's unit). */
export const msToUs = (ms: number): number => Math.round(ms * 1000);
/** A probability as a percentage for a form. */
export const rateToPercent = (rate: number): number => tidy(rate * 100);
/** A percentage from a form as a probability. */
export const percentToRate = (percent: number): number => tidy(percent / 100);

/** Parses a number field's text: a number, or why not. Empty is refused unless optional. */
export function parseNumber(
  text: string,
  optional = false,
): { value: number | undefined } | { error: string } {
  const t = text.trim();
  if (t === '') return optional ? { value: undefined } : { error: 'Enter a number.' };
  const n = Number(t);
  if (!Number.isFinite(n)) return { error: `"${t}" is not a number.` };
  return { value: n };
}

/**
 * A zod issue as a sentence under a field. `scale` converts the schema's bounds to what
 * the field shows (1000 for µs shown in ms, 0.01 for a probability shown in %).
 */
export function issueText(issue: z.core.$ZodIssue, scale = 1, unit = ''): string {
  const u = unit ? ` ${unit}` : '';
  switch (issue.code) {
    case 'too_small': {
      const b = tidy(Number(issue.minimum) / scale);
      return issue.inclusive === false ? `Must be more than ${b}${u}.` : `Must be at least ${b}${u}.`;
    }
    case 'too_big': {
      const b = tidy(Number(issue.maximum) / scale);
      return issue.inclusive === false ? `Must be less than ${b}${u}.` : `Must be at most ${b}${u}.`;
    }
    case 'invalid_type':
      return issue.expected === 'int' ? 'Must be a whole number.' : `Expected a ${issue.expected}.`;
    default:
      return issue.message.endsWith('.') ? issue.message : `${issue.message}.`;
  }
}

/** The first issue at a field (its key as the path's first element), as a sentence. */
export function fieldError(error: z.ZodError | undefined, key: string, scale = 1, unit = ''): string | null {
  const issue = error?.issues.find((i) => i.path[0] === key) ?? error?.issues[0];
  return issue ? issueText(issue, scale, unit) : null;
}

/** The latency kinds, in the order the form offers them. */
export const LATENCY_KINDS: { id: Latency['kind']; label: string }[] = [
  { id: 'constant', label: 'Constant' },
  { id: 'uniform', label: 'Uniform' },
  { id: 'normal', label: 'Normal' },
  { id: 'lognormal', label: 'Log-normal' },
  { id: 'pareto', label: 'Pareto' },
];

/** A field of a latency distribution's form. */
export interface LatencyField {
  /** Key in the latency object. */
  key: string;
  /** Label shown. */
  label: string;
  /** 'ms' for microsecond values (shown in ms), '' for plain numbers. */
  unit: 'ms' | '';
  /** Whether the field may be left empty. */
  optional?: boolean;
}

/** The fields each latency kind has. */
export const LATENCY_FIELDS: Record<Latency['kind'], LatencyField[]> = {
  constant: [{ key: 'us', label: 'Latency', unit: 'ms' }],
  uniform: [
    { key: 'minUs', label: 'Min', unit: 'ms' },
    { key: 'maxUs', label: 'Max', unit: 'ms' },
  ],
  normal: [
    { key: 'meanUs', label: 'Mean', unit: 'ms' },
    { key: 'stdUs', label: 'Std dev', unit: 'ms' },
    { key: 'minUs', label: 'Floor', unit: 'ms', optional: true },
  ],
  lognormal: [
    { key: 'medianUs', label: 'Median', unit: 'ms' },
    { key: 'sigma', label: 'Sigma', unit: '' },
  ],
  pareto: [
    { key: 'scaleUs', label: 'Scale (min)', unit: 'ms' },
    { key: 'shape', label: 'Shape', unit: '' },
    { key: 'maxUs', label: 'Cap', unit: 'ms', optional: true },
  ],
};

/**
 * A distribution of another kind with about the same typical latency, so switching kind in
 * the form keeps the link's order of magnitude instead of resetting it.
 */
export function latencyOfKind(kind: Latency['kind'], meanUs: number): Latency {
  const m = Math.max(0, Math.round(meanUs));
  switch (kind) {
    case 'constant':
      return { kind, us: m };
    case 'uniform':
      return { kind, minUs: Math.round(m / 2), maxUs: Math.round(m * 1.5) };
    case 'normal':
      return { kind, meanUs: m, stdUs: Math.round(m / 4) };
    case 'lognormal':
      // Mean of a lognormal is median * exp(sigma^2 / 2): sigma 0.5 and this median give mean m.
      return { kind, medianUs: Math.round(m / Math.exp(0.125)), sigma: 0.5 };
    case 'pareto':
      // Mean of a Pareto is shape * scale / (shape - 1): shape 2 and scale m/2 give mean m.
      return { kind, scaleUs: Math.round(m / 2), shape: 2 };
  }
}

/** A latency field's value as the form shows it (ms for microseconds), or '' when absent. */
export function latencyFieldText(latency: Latency, f: LatencyField): string {
  const v = (latency as Record<string, unknown>)[f.key];
  if (typeof v !== 'number') return '';
  return String(f.unit === 'ms' ? usToMs(v) : v);
}

/** The latency with one field set from the form's number (ms converted to µs), not validated. */
export function withLatencyField(latency: Latency, f: LatencyField, value: number | undefined): Latency {
  const next: Record<string, unknown> = { ...latency };
  if (value === undefined) delete next[f.key];
  else next[f.key] = f.unit === 'ms' ? msToUs(value) : value;
  return next as Latency;
}

/** Cross-field checks the schema leaves out; null when fine. */
export function latencyProblem(l: Latency): { key: string; message: string } | null {
  if (l.kind === 'uniform' && l.minUs > l.maxUs)
    return { key: 'maxUs', message: 'Max must not be below min.' };
  if (l.kind === 'pareto' && l.maxUs !== undefined && l.maxUs < l.scaleUs)
    return { key: 'maxUs', message: 'The cap must not be below the scale.' };
  return null;
}
