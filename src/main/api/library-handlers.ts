/**
 * The library's API handlers: thin adapters from the validated payloads to the store,
 * turning the store's LibraryError into an API error with the same sentence and code.
 */
import { type ApiErrorCode, DslabApiError } from '../../shared/api';
import type { RunSummary } from '../../shared/exercise/run-summary';
import type { Scenario } from '../../shared/scenario/schema';
import { type Library, LibraryError, type LibraryErrorCode } from '../store/library';
import type { Handlers } from './dispatch';

const codes: Record<LibraryErrorCode, ApiErrorCode> = {
  'not-found': 'not-found',
  conflict: 'conflict',
  invalid: 'bad-request',
  'too-large': 'too-large',
  busy: 'busy',
  'read-only': 'read-only',
};

/** Runs a store call, mapping its errors. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof LibraryError) {
      const first = err.issues[0];
      throw new DslabApiError({
        code: codes[err.code],
        message: err.message,
        ...(first
          ? {
              path: first.path
                .replace(/^\$\.?/, '')
                .split(/[.[\]]+/)
                .filter(Boolean),
            }
          : {}),
      });
    }
    throw err;
  }
}

/** A file name for an export: the item's name, made safe for every OS. */
export function exportFileName(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'dslab'}.dslab.json`;
}

type LibraryHandlers = Pick<Handlers, Extract<keyof Handlers, `library.${string}` | `runs.${string}`>>;

/** What the library handlers need to know about open simulations. */
export interface RunSource {
  /** The run's summary and scenario, for recording. */
  summaryOf(simId: string): Promise<{ summary: RunSummary; scenario: Scenario }>;
}

export function libraryHandlers(lib: Library, runs: RunSource): LibraryHandlers {
  return {
    'library.list': (o) => guard(() => lib.list(o)),
    'library.search': ({ query, ...o }) => guard(() => lib.search(query, o)),
    'library.recent': ({ limit }) => guard(() => lib.recent(limit)),
    'library.tags': () => guard(() => lib.allTags()),
    'library.get': ({ id }) => guard(() => lib.getItem(id)),
    'library.open': ({ id }) => guard(() => lib.openItem(id)),
    'library.createScenario': ({ scenario, description, tags }) =>
      guard(() => lib.createScenario(scenario, { description, tags })),
    'library.createExercise': ({ exercise, description, tags }) =>
      guard(() => lib.createExercise(exercise, { description, tags })),
    'library.save': ({ id, doc, expectedRevision }) => guard(() => lib.save(id, doc, expectedRevision)),
    'library.saveAs': ({ id, doc, name }) => guard(() => lib.saveAs(id, doc, name)),
    'library.rename': ({ id, name, expectedRevision }) => guard(() => lib.rename(id, name, expectedRevision)),
    'library.duplicate': ({ id, name }) => guard(() => lib.duplicate(id, name)),
    'library.trash': ({ id }) => guard(() => lib.trash(id)),
    'library.restore': ({ id }) => guard(() => lib.restore(id)),
    'library.restoreBuiltin': ({ id }) => guard(() => lib.restoreBuiltin(id)),
    'library.emptyTrash': () => guard(() => ({ deleted: lib.emptyTrash() })),
    'library.tag': ({ id, add, remove }) =>
      guard(() => {
        let summary = add?.length ? lib.addTags(id, add) : lib.getSummary(id);
        if (remove?.length) summary = lib.removeTags(id, remove);
        return summary;
      }),
    'library.autosave': ({ id, doc }) =>
      guard(() => {
        lib.autosave(id, doc);
        return { ok: true as const };
      }),
    'library.recoverAutosaves': () => guard(() => lib.recoverAutosaves()),
    'library.discardAutosave': ({ id }) =>
      guard(() => {
        lib.discardAutosave(id);
        return { ok: true as const };
      }),
    'library.import': ({ text }) => guard(() => lib.importFile(text)),
    'library.export': ({ ids, title }) =>
      guard(() => {
        const text = lib.exportFile(ids, title === undefined ? {} : { title });
        const name = ids.length === 1 ? lib.getSummary(ids[0]!).name : (title ?? 'dslab-bundle');
        return { text, fileName: exportFileName(name) };
      }),
    'runs.record': async ({ itemId, simId, learner }) => {
      const { summary, scenario } = await runs.summaryOf(simId);
      return guard(() =>
        lib.recordRun(itemId, summary, { scenario, ...(learner === undefined ? {} : { learner }) }),
      );
    },
    'runs.list': ({ itemId, limit, offset }) => guard(() => lib.listRuns(itemId, { limit, offset })),
  };
}
