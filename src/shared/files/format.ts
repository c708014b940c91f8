import { z } from 'zod';
import { ExerciseSchema } from '../exercise/schema';
import { ScenarioSchema } from '../scenario/schema';

/**
 * The `.dslab.json` file: one scenario, one exercise, or a bundle of both, wrapped as
 * `{ "format": "dslab", "kind": ..., "schemaVersion": N, ... }`. Older versions are migrated
 * step by step on read (migrations.ts); a file from a newer DSLab is refused. Errors name the
 * JSON path and the reason (`$.scenario.topology.links[3].a: link l3 names unknown node n9`).
 * docs/file-format.md is the reference.
 */

/** The value of the `format` field. */
export const FILE_FORMAT = 'dslab';
/** The file schemaVersion this DSLab writes. */
export const FILE_SCHEMA_VERSION = 1;
/** Files larger than this (UTF-8 bytes) are refused before parsing: 20 MiB. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/**
 * Lists and objects nest at most this deep in a file (a real file needs under 20 levels).
 * Deeper input is refused before validation, whose recursion it would otherwise overflow.
 */
export const MAX_NESTING = 64;
/** A bundle holds at most this many items. */
export const MAX_BUNDLE_ITEMS = 1000;
/** The suffix DSLab gives its files. */
export const FILE_SUFFIX = '.dslab.json';

const tag = z
  .string()
  .trim()
  .min(1, 'a tag is not empty')
  .max(40, 'a tag has at most 40 characters')
  .refine(
    (t) => !/,/.test(t) && ![...t].some((c) => c.charCodeAt(0) < 0x20),
    'a tag has no commas or control characters',
  );

/** Library metadata an item carries besides its content. */
const itemMeta = {
  /** Stable key of a built-in item (`builtin:...`); ignored on import. */
  key: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'keys are letters, digits, _ . : -')
    .optional(),
  /** One paragraph shown in the library. */
  description: z.string().max(5000).default(''),
  /** Free-form labels for filtering. */
  tags: z.array(tag).max(50).default([]),
};

function uniqueTags(tags: string[], ctx: z.RefinementCtx, path: (string | number)[]): void {
  const seen = new Set<string>();
  tags.forEach((t, i) => {
    const k = t.toLowerCase();
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `duplicate tag ${t}` });
    seen.add(k);
  });
}

/** A scenario with its library metadata. */
export const ScenarioItemSchema = z
  .strictObject({ ...itemMeta, scenario: ScenarioSchema })
  .superRefine((v, ctx) => uniqueTags(v.tags, ctx, ['tags']));
/** A scenario with its library metadata. */
export type ScenarioItem = z.infer<typeof ScenarioItemSchema>;

/** An exercise with its library metadata. */
export const ExerciseItemSchema = z
  .strictObject({ ...itemMeta, exercise: ExerciseSchema })
  .superRefine((v, ctx) => uniqueTags(v.tags, ctx, ['tags']));
/** An exercise with its library metadata. */
export type ExerciseItem = z.infer<typeof ExerciseItemSchema>;

const header = {
  /** Always `dslab`. */
  format: z.literal(FILE_FORMAT),
  /** The file schema version (this DSLab writes 1). */
  schemaVersion: z.literal(FILE_SCHEMA_VERSION),
};

export const DslabFileSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({ ...header, kind: z.literal('scenario'), ...itemMeta, scenario: ScenarioSchema })
    .superRefine((v, ctx) => uniqueTags(v.tags, ctx, ['tags'])),
  z
    .strictObject({ ...header, kind: z.literal('exercise'), ...itemMeta, exercise: ExerciseSchema })
    .superRefine((v, ctx) => uniqueTags(v.tags, ctx, ['tags'])),
  z
    .strictObject({
      ...header,
      kind: z.literal('bundle'),
      /** What the bundle is (shown on import). */
      title: z.string().max(200).default(''),
      scenarios: z.array(ScenarioItemSchema).max(MAX_BUNDLE_ITEMS).default([]),
      exercises: z.array(ExerciseItemSchema).max(MAX_BUNDLE_ITEMS).default([]),
    })
    .superRefine((v, ctx) => {
      const n = v.scenarios.length + v.exercises.length;
      if (n === 0) ctx.addIssue({ code: 'custom', path: [], message: 'a bundle holds at least one item' });
      if (n > MAX_BUNDLE_ITEMS)
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: `a bundle holds at most ${MAX_BUNDLE_ITEMS} items`,
        });
    }),
]);
/** A validated `.dslab.json` file (defaults applied). */
export type DslabFile = z.infer<typeof DslabFileSchema>;
/** A `.dslab.json` file as written (defaults optional). */
export type DslabFileInput = z.input<typeof DslabFileSchema>;

/** The items a file holds, flattened (a single-item file gives one). */
export function fileItems(file: DslabFile): { scenarios: ScenarioItem[]; exercises: ExerciseItem[] } {
  switch (file.kind) {
    case 'scenario':
      return {
        scenarios: [
          { key: file.key, description: file.description, tags: file.tags, scenario: file.scenario },
        ],
        exercises: [],
      };
    case 'exercise':
      return {
        scenarios: [],
        exercises: [
          { key: file.key, description: file.description, tags: file.tags, exercise: file.exercise },
        ],
      };
    case 'bundle':
      return { scenarios: file.scenarios, exercises: file.exercises };
  }
}

function withoutKey<T extends { key?: string | undefined }>(item: T, keepKey: boolean): Omit<T, 'key'> {
  if (keepKey && item.key !== undefined) return item;
  const { key: _drop, ...rest } = item;
  return rest;
}

/** Builds the file for some items: one item gives a scenario or exercise file, more a bundle. */
export function makeFile(
  items: { scenarios: ScenarioItem[]; exercises: ExerciseItem[] },
  options: { title?: string; keepKeys?: boolean } = {},
): DslabFile {
  const keep = options.keepKeys ?? false;
  const head = { format: FILE_FORMAT, schemaVersion: FILE_SCHEMA_VERSION } as const;
  if (items.scenarios.length === 1 && items.exercises.length === 0 && options.title === undefined)
    return { ...head, kind: 'scenario', ...withoutKey(items.scenarios[0]!, keep) };
  if (items.exercises.length === 1 && items.scenarios.length === 0 && options.title === undefined)
    return { ...head, kind: 'exercise', ...withoutKey(items.exercises[0]!, keep) };
  return {
    ...head,
    kind: 'bundle',
    title: options.title ?? '',
    scenarios: items.scenarios.map((s) => withoutKey(s, keep)),
    exercises: items.exercises.map((e) => withoutKey(e, keep)),
  };
}

/** The text DSLab writes: two-space JSON and a final newline. */
export function serializeFile(file: DslabFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}
