/**
 * The library's part of the API table: scenarios and exercises saved in the store, files in
 * and out, runs. Documents are validated by the store (src/main/store/library.ts), whose
 * errors name the JSON path; the schemas here check the envelope of each call.
 */
import { z } from 'zod';
import { method } from './method';

const id = z.string().min(1).max(100);
const kind = z.enum(['scenario', 'exercise']);
const name = z.string().min(1).max(200);
const tags = z.array(z.string().min(1).max(50)).max(50);

/** An item as lists show it (no document body). */
export const ItemSummarySchema = z.object({
  /** Stable id. */
  id: z.string(),
  /** Scenario or exercise. */
  kind,
  /** Name or title. */
  name: z.string(),
  /** One paragraph. */
  description: z.string(),
  /** Labels. */
  tags: z.array(z.string()),
  /** Topic id. */
  topic: z.string(),
  /** Protocol id. */
  protocol: z.string(),
  /** Nodes in the topology. */
  nodeCount: z.number().int(),
  /** Bumped by every change; saves name the revision they started from. */
  revision: z.number().int(),
  /** Created, ms since the epoch. */
  createdAt: z.number(),
  /** Last changed. */
  updatedAt: z.number(),
  /** Last opened, or null. */
  openedAt: z.number().nullable(),
  /** Moved to the trash at, or null. */
  trashedAt: z.number().nullable(),
  /** Seeded from the built-in library: read-only (saves are refused with `read-only`). */
  builtin: z.boolean(),
  /** A built-in edited before built-ins were read-only: `library.restoreBuiltin` brings back the shipped version. */
  builtinEdited: z.boolean(),
  /** An autosave newer than the saved document exists. */
  hasAutosave: z.boolean(),
});

/** An item with its document (a scenario or an exercise). */
export const ItemRecordSchema = ItemSummarySchema.extend({
  /** The scenario, for kind 'scenario'. */
  scenario: z.unknown().optional(),
  /** The exercise, for kind 'exercise'. */
  exercise: z.unknown().optional(),
});

const runRecord = z.object({
  id: z.string(),
  itemId: z.string(),
  revision: z.number().int(),
  seed: z.number().int(),
  outcome: z.string(),
  learner: z.string().nullable(),
  passed: z.boolean().nullable(),
  summary: z.unknown(),
  grade: z.unknown().nullable(),
  createdAt: z.number(),
});

const ref = z.object({ id }).strict();

export const libraryMethods = {
  'library.list': method(
    z
      .object({
        kind: kind.optional(),
        trash: z.boolean().optional(),
        tag: z.string().max(50).optional(),
        sort: z.enum(['updated', 'name', 'created', 'opened']).optional(),
        order: z.enum(['asc', 'desc']).optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
    z.object({ items: z.array(ItemSummarySchema), total: z.number().int() }),
    'A page of saved scenarios and exercises.',
  ),
  'library.search': method(
    z
      .object({
        query: z.string().max(500),
        kind: kind.optional(),
        trash: z.boolean().optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
      })
      .strict(),
    z.array(ItemSummarySchema),
    'Full-text search over names, descriptions, tags, topics and protocols.',
  ),
  'library.recent': method(
    z.object({ limit: z.number().int().min(1).max(100).optional() }).strict(),
    z.array(ItemSummarySchema),
    'Recently opened items, newest first.',
  ),
  'library.tags': method(
    z.object({}).strict(),
    z.array(z.object({ tag: z.string(), count: z.number().int() })),
    'Every tag in use.',
  ),
  'library.get': method(ref, ItemRecordSchema, 'One item with its document.'),
  'library.open': method(ref, ItemRecordSchema, 'One item with its document; marks it recently opened.'),
  'library.createScenario': method(
    z
      .object({ scenario: z.unknown(), description: z.string().max(5_000).optional(), tags: tags.optional() })
      .strict(),
    ItemRecordSchema,
    'Save a new scenario.',
  ),
  'library.createExercise': method(
    z
      .object({ exercise: z.unknown(), description: z.string().max(5_000).optional(), tags: tags.optional() })
      .strict(),
    ItemRecordSchema,
    'Save a new exercise.',
  ),
  'library.save': method(
    z.object({ id, doc: z.unknown(), expectedRevision: z.number().int().min(0) }).strict(),
    ItemSummarySchema,
    'Save a changed document; refused as a conflict if it changed elsewhere since expectedRevision, and as read-only for a built-in.',
  ),
  'library.saveAs': method(
    z.object({ id, doc: z.unknown(), name }).strict(),
    ItemSummarySchema,
    'Save a document as a new item.',
  ),
  'library.rename': method(
    z.object({ id, name, expectedRevision: z.number().int().min(0).optional() }).strict(),
    ItemSummarySchema,
    'Rename an item (a built-in keeps its name: read-only).',
  ),
  'library.duplicate': method(
    z.object({ id, name: name.optional() }).strict(),
    ItemSummarySchema,
    'Copy an item.',
  ),
  'library.trash': method(ref, ItemSummarySchema, 'Move an item to the trash.'),
  'library.restore': method(ref, ItemSummarySchema, 'Bring an item back from the trash.'),
  'library.restoreBuiltin': method(
    ref,
    z.object({ item: ItemSummarySchema, copy: ItemSummarySchema.nullable() }),
    "Put a built-in back as shipped; an edited version is kept first as the person's own copy.",
  ),
  'library.emptyTrash': method(
    z.object({}).strict(),
    z.object({ deleted: z.number().int() }),
    'Delete everything in the trash.',
  ),
  'library.tag': method(
    z.object({ id, add: tags.optional(), remove: tags.optional() }).strict(),
    ItemSummarySchema,
    'Add and remove tags.',
  ),
  'library.autosave': method(
    z.object({ id, doc: z.unknown() }).strict(),
    z.object({ ok: z.literal(true) }),
    'Keep the open document in its autosave slot (recovered after a crash).',
  ),
  'library.recoverAutosaves': method(
    z.object({}).strict(),
    z.array(
      z.object({
        id: z.string(),
        kind,
        name: z.string(),
        savedAt: z.number(),
        baseRevision: z.number().int(),
        currentRevision: z.number().int(),
        doc: z.unknown(),
        problem: z.string().nullable(),
      }),
    ),
    'Autosaves left by a session that ended without saving.',
  ),
  'library.discardAutosave': method(ref, z.object({ ok: z.literal(true) }), 'Drop an autosave.'),
  'library.import': method(
    z.object({ text: z.string() }).strict(),
    z.object({
      scenarios: z.array(ItemSummarySchema),
      exercises: z.array(ItemSummarySchema),
      fromVersion: z.number().int(),
    }),
    'Import a .dslab.json file (all or nothing; errors name the JSON path).',
  ),
  'library.export': method(
    z.object({ ids: z.array(id).min(1).max(1_000), title: z.string().max(200).optional() }).strict(),
    z.object({ text: z.string(), fileName: z.string() }),
    'A .dslab.json file of one item or a bundle.',
  ),
  'runs.record': method(
    z
      .object({ itemId: id, simId: z.string().regex(/^sim-\d+$/), learner: z.string().max(200).optional() })
      .strict(),
    runRecord,
    'Record an open simulation as a run of a saved item (an exercise run is graded).',
  ),
  'runs.list': method(
    z
      .object({
        itemId: id,
        limit: z.number().int().min(1).max(1_000).optional(),
        offset: z.number().int().min(0).optional(),
      })
      .strict(),
    z.array(runRecord),
    'Runs of an item, newest first.',
  ),
} as const;
