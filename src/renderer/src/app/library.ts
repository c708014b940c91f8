/**
 * The library's effects: open, save (with the revision), save as, rename, duplicate, trash,
 * import and export, the welcome view's topics, autosave and recovery at startup. Components
 * call these; the stores stay plain state.
 */
import type { ProtocolInfo, Res, Settings } from '../../../shared/api';
import { DslabApiError } from '../../../shared/api';
import { type Exercise, ExerciseSchema } from '../../../shared/exercise/schema';
import { variantFor } from '../../../shared/exercise/variant';
import { canonicalJson } from '../../../shared/files/canonical';
import { type Scenario, ScenarioSchema } from '../../../shared/scenario/schema';
import { call } from '../api/client';
import { useGraph } from '../stores/graph-store';
import { type OpenDoc, useLearner, useLibrary } from '../stores/library-store';
import { usePlayback } from '../stores/playback-store';
import { useRun } from '../stores/run-store';
import { useSession } from '../stores/session-store';
import { useUi } from '../stores/ui-store';
import { applyScenarioSpeed, carrySpeed, currentSpeedKey } from './pace';
import { problemLines } from './problem-lines';
import { errorText, reportError } from './report';
import { currentScenario } from './run';

type ItemRecord = Res<'library.open'>;

/** Idle time after the last change before the open document goes to its autosave slot. */
export const AUTOSAVE_IDLE_MS = 2000;
/** How long after a change the dirty flag is recomputed (one canonical JSON per pause). */
const DIRTY_DEBOUNCE_MS = 200;

function toast(text: string, tone: 'info' | 'error' = 'info'): void {
  useUi.getState().toast(text, tone);
}

/** The open document as it would be saved now: the canvas's scenario, inside its exercise. */
export function docBody(doc: OpenDoc | null = useLibrary.getState().doc): unknown {
  const scenario = currentScenario();
  if (!doc || !scenario) return null;
  const named = { ...scenario, name: doc.name };
  if (doc.kind === 'exercise' && doc.exercise) return { ...doc.exercise, title: doc.name, scenario: named };
  return named;
}

function snapshot(): string {
  return canonicalJson(docBody());
}

/** Marks what is on screen now as saved (after a load, a save, a variant switch). */
function markSaved(): void {
  useLibrary.getState().set({ savedJson: snapshot(), dirty: false });
}

/** Replaces the canvas with a scenario: protocol, graph, seed and playback speed. */
function showScenario(scenario: Scenario): void {
  const session = useSession.getState();
  if (session.protocols.some((p) => p.id === scenario.protocol)) session.setProtocolId(scenario.protocol);
  useGraph.getState().loadScenario(scenario);
  usePlayback.getState().setSeed(scenario.seed);
  applyScenarioSpeed();
}

/** The scenario an exercise starts from for the learner named now. */
function exerciseScenario(exercise: Exercise): Scenario {
  const learner = useLearner.getState().name.trim();
  return learner ? variantFor(exercise, learner).scenario : exercise.scenario;
}

function remember(scenario: Scenario): void {
  call('settings.set', { lastTopic: scenario.topic, lastProtocol: scenario.protocol }).catch(() => undefined);
}

/**
 * Shows a library record (optionally with an autosaved body instead of the saved one).
 * Returns false when the document does not validate.
 */
function showRecord(record: ItemRecord, body?: unknown): boolean {
  const lib = useLibrary.getState();
  try {
    let exercise: Exercise | null = null;
    let scenario: Scenario;
    const saved = record.kind === 'exercise' ? record.exercise : record.scenario;
    if (record.kind === 'exercise') {
      exercise = ExerciseSchema.parse(body ?? saved);
      // An autosave already holds the learner's scenario; a saved exercise starts from the variant.
      scenario = body ? exercise.scenario : exerciseScenario(exercise);
    } else {
      scenario = ScenarioSchema.parse(body ?? saved);
    }
    const doc: OpenDoc = {
      itemId: record.id,
      kind: record.kind,
      name: record.name,
      revision: record.revision,
      builtin: record.builtin,
      exercise,
    };
    lib.set({ doc, welcome: false, exerciseTab: record.kind === 'exercise', hintsShown: 0, lastRun: null });
    showScenario(scenario);
    // After the load (which clears them): the exercise's locked parts can no longer be edited.
    useGraph.getState().setLocks(exercise?.locks ?? []);
    if (body) {
      // Recovered: "dirty" compares with what is saved, which the autosave is not.
      const savedScenario =
        record.kind === 'exercise'
          ? exerciseScenario(ExerciseSchema.parse(saved))
          : ScenarioSchema.parse(saved);
      const savedBody =
        record.kind === 'exercise'
          ? {
              ...(ExerciseSchema.parse(saved) as Exercise),
              title: record.name,
              scenario: { ...savedScenario, name: record.name },
            }
          : { ...savedScenario, name: record.name };
      lib.set({ savedJson: canonicalJson(savedBody), dirty: true });
    } else markSaved();
    remember(scenario);
    return true;
  } catch (err) {
    reportError(`Could not open "${record.name}"`, err);
    return false;
  }
}

/**
 * Asks what to do with unsaved changes (to a library item, or to a new document the person
 * has changed: an empty canvas they built on is work too); resolves true when it is fine to go on.
 */
export function leaveDoc(): Promise<boolean> {
  const lib = useLibrary.getState();
  // Compared now, not read from the dirty flag: that is recomputed 200 ms after an edit, and an
  // edit just before leaving is work too.
  if (!lib.doc || snapshot() === lib.savedJson) return Promise.resolve(true);
  const name = lib.doc.name;
  return new Promise((resolve) => {
    const close = (ok: boolean) => {
      useLibrary.getState().set({ dialog: null });
      resolve(ok);
    };
    lib.set({
      dialog: {
        kind: 'ask',
        title: 'Unsaved changes',
        body: `Save the changes to "${name}" before going on?`,
        buttons: [
          { label: 'Save', tone: 'primary', run: async () => close(await save()) },
          {
            label: "Don't save",
            run: () => {
              const id = useLibrary.getState().doc?.itemId;
              if (id) void call('library.discardAutosave', { id }).catch(() => undefined);
              useLibrary.getState().set({ dirty: false });
              close(true);
            },
          },
          { label: 'Cancel', run: () => close(false) },
        ],
      },
    });
  });
}

/** Opens a library item (asking first about unsaved changes). */
export async function openItem(id: string, opts: { guard?: boolean } = {}): Promise<boolean> {
  if (opts.guard !== false && !(await leaveDoc())) return false;
  try {
    const record = await call('library.open', { id });
    const ok = showRecord(record);
    useLibrary.getState().bump();
    return ok;
  } catch (err) {
    reportError('Could not open the item', err);
    return false;
  }
}

/** The built-in scenario a protocol starts from: one tagged `starter` or named "… quick start". */
function isQuickStart(item: { name: string; tags: string[] }): boolean {
  return /quick start/i.test(item.name) || item.tags.includes('starter');
}

/** Starts a new, unsaved document from a scenario (the first Save creates the item). */
export function newFromScenario(scenario: Scenario): void {
  useLibrary.getState().set({
    doc: { itemId: null, kind: 'scenario', name: scenario.name, revision: 0, builtin: false, exercise: null },
    welcome: false,
    exerciseTab: false,
  });
  showScenario(scenario);
  markSaved();
}

/** The protocols of a topic that the catalog offers. */
export function protocolsOf(topic: string): ProtocolInfo[] {
  return useSession.getState().protocols.filter((p) => p.topic === topic);
}

/**
 * Opens a topic's quick start (asking first about unsaved changes): for a chosen protocol, its
 * built-in quick start, else its default scenario as a new document; for the topic alone, the
 * first protocol's built-in quick start, else any quick start of the topic, else any built-in
 * scenario of it, else the first protocol's default scenario. From the welcome view the Lesson
 * tab opens, ready to Play; the toolbar's topic picker leaves the tabs alone (`lesson: false`).
 */
export async function openTopic(
  topic: string,
  opts: { protocol?: string; lesson?: boolean } = {},
): Promise<void> {
  const protocols = protocolsOf(topic);
  const chosen = opts.protocol === undefined ? null : protocols.find((p) => p.id === opts.protocol);
  if (protocols.length === 0 || chosen === undefined) return;
  if (!(await leaveDoc())) return;
  const offered = new Set(protocols.map((p) => p.id));
  try {
    const { items } = await call('library.list', {
      kind: 'scenario',
      sort: 'name',
      order: 'asc',
      limit: 500,
    });
    const builtins = items.filter((i) => i.builtin && i.topic === topic && offered.has(i.protocol));
    const first = chosen ?? protocols[0]!;
    const pick = chosen
      ? builtins.find((i) => i.protocol === chosen.id && isQuickStart(i))
      : (builtins.find((i) => i.protocol === first.id && isQuickStart(i)) ??
        builtins.find((i) => i.protocol === first.id) ??
        builtins.find(isQuickStart) ??
        builtins[0]);
    if (pick) {
      await openItem(pick.id, { guard: false });
    } else {
      newFromScenario(await call('catalog.defaultScenario', { protocol: first.id }));
      remember({ topic, protocol: first.id } as Scenario);
    }
    if (opts.lesson !== false) {
      useUi.getState().setTab('lesson');
      useLibrary.getState().set({ exerciseTab: false });
    }
    useLibrary.getState().set({ welcome: false });
  } catch (err) {
    reportError('Could not open the topic', err);
  }
}

/** A short name for a protocol: its title without the parenthesis ("Paxos (single decree)" → "Paxos"). */
export function shortTitle(protocol: ProtocolInfo): string {
  return protocol.title.replace(/\s*\(.*\)\s*$/, '') || protocol.title;
}

/**
 * File › New's other choice: an empty canvas for a protocol (asking first about unsaved
 * changes). A new, unsaved document with the protocol's default params and run limits and no
 * nodes, links, workload or faults; the person builds the cluster from the palette.
 */
export async function newEmptyCanvas(protocolId: string): Promise<void> {
  const protocol = useSession.getState().protocols.find((p) => p.id === protocolId);
  if (!protocol) return;
  if (!(await leaveDoc())) return;
  try {
    const quick = await call('catalog.defaultScenario', { protocol: protocol.id });
    const empty = ScenarioSchema.parse({
      schemaVersion: quick.schemaVersion,
      name: `Untitled ${shortTitle(protocol)} scenario`,
      topic: quick.topic,
      protocol: quick.protocol,
      params: quick.params,
      topology: { nodes: [], links: [] },
      seed: quick.seed,
      limits: quick.limits,
    });
    newFromScenario(empty);
    remember(empty);
    useUi.getState().toast(`An empty ${shortTitle(protocol)} canvas: add nodes from the Parts tab.`);
  } catch (err) {
    reportError('Could not start an empty canvas', err);
  }
}

/** Re-derives the exercise's scenario for the learner named now (seed and varied params). */
export function applyVariant(): void {
  const lib = useLibrary.getState();
  const exercise = lib.doc?.exercise;
  if (!exercise) return;
  const scenario = exerciseScenario(exercise);
  const wasClean = !lib.dirty;
  const graph = useGraph.getState();
  for (const [k, v] of Object.entries(scenario.params)) {
    if (canonicalJson(graph.base?.params[k]) !== canonicalJson(v)) graph.setParam(k, v);
  }
  usePlayback.getState().setSeed(scenario.seed);
  if (wasClean) markSaved();
}

function isConflict(err: unknown): boolean {
  return err instanceof DslabApiError && err.code === 'conflict';
}

/** Marks an item recently opened, so the next start comes back to it. */
function touch(id: string): void {
  void call('library.open', { id }).catch(() => undefined);
}

/**
 * Saves the open document: with its revision for a saved item (a conflict asks what to do),
 * or as a new item for a new document. Resolves true when saved.
 */
export async function save(): Promise<boolean> {
  const lib = useLibrary.getState();
  const doc = lib.doc;
  const body = docBody();
  if (!doc || !body) return false;
  // Built-ins stay as shipped (the store refuses too): the changes go to a copy.
  if (doc.itemId && doc.builtin) return askSaveCopy();
  try {
    if (!doc.itemId) return await createItem(doc.name);
    const summary = await call('library.save', { id: doc.itemId, doc: body, expectedRevision: doc.revision });
    useLibrary.getState().set({ doc: { ...doc, revision: summary.revision, name: summary.name } });
    markSaved();
    useLibrary.getState().bump();
    toast(`Saved "${summary.name}".`);
    return true;
  } catch (err) {
    if (isConflict(err)) return askConflict(errorText(err));
    // A built-in this window did not know was one (an older list): save a copy instead.
    if (err instanceof DslabApiError && err.code === 'read-only') return askSaveCopy();
    reportError('Could not save', err);
    return false;
  }
}

/**
 * Save on a built-in: asks for a name and saves the changes as a new item of the person's own,
 * which becomes the open document. Resolves true when saved, false when cancelled.
 */
function askSaveCopy(): Promise<boolean> {
  const doc = useLibrary.getState().doc;
  if (!doc) return Promise.resolve(false);
  return new Promise((resolve) => {
    useLibrary.getState().set({
      dialog: {
        kind: 'name',
        title: 'Save a copy',
        lede: `"${doc.name}" is a built-in and stays as shipped. Your changes are saved as a new item in your library.`,
        initial: `${doc.name} (copy)`,
        confirm: 'Save copy',
        run: async (name) => {
          useLibrary.getState().set({ dialog: null });
          resolve(await saveAsName(name));
        },
        cancel: () => resolve(false),
      },
    });
  });
}

function askConflict(message: string): Promise<boolean> {
  return new Promise((resolve) => {
    const close = (ok: boolean) => {
      useLibrary.getState().set({ dialog: null });
      resolve(ok);
    };
    useLibrary.getState().set({
      dialog: {
        kind: 'ask',
        title: 'This item changed elsewhere',
        body: `${message} Overwrite replaces the other version with yours; Save as copy keeps both.`,
        buttons: [
          { label: 'Overwrite', tone: 'danger', run: async () => close(await overwrite()) },
          {
            label: 'Save as copy',
            tone: 'primary',
            run: async () =>
              close(await saveAsName(`${useLibrary.getState().doc?.name ?? 'Untitled'} (copy)`)),
          },
          { label: 'Cancel', run: () => close(false) },
        ],
      },
    });
  });
}

/** Saves over whatever is stored now: re-reads the item's revision, then saves with it. */
async function overwrite(): Promise<boolean> {
  const doc = useLibrary.getState().doc;
  if (!doc?.itemId) return false;
  try {
    const { revision } = await call('library.get', { id: doc.itemId });
    useLibrary.getState().set({ doc: { ...doc, revision } });
    return await save();
  } catch (err) {
    reportError('Could not overwrite', err);
    return false;
  }
}

async function createItem(name: string): Promise<boolean> {
  const doc = useLibrary.getState().doc;
  if (!doc) return false;
  const body = docBody({ ...doc, name });
  const speedFrom = currentSpeedKey();
  const record =
    doc.kind === 'exercise'
      ? await call('library.createExercise', { exercise: body })
      : await call('library.createScenario', { scenario: body });
  useLibrary.getState().set({
    doc: { ...doc, itemId: record.id, name: record.name, revision: record.revision, builtin: false },
  });
  carrySpeed(speedFrom);
  markSaved();
  touch(record.id);
  useLibrary.getState().bump();
  toast(`Saved "${record.name}" to the library.`);
  return true;
}

/** Saves the open document as a new item with this name; the copy becomes the open document. */
export async function saveAsName(name: string): Promise<boolean> {
  const doc = useLibrary.getState().doc;
  if (!doc) return false;
  const trimmed = name.trim() || 'Untitled';
  try {
    if (!doc.itemId) return await createItem(trimmed);
    const speedFrom = currentSpeedKey();
    const summary = await call('library.saveAs', {
      id: doc.itemId,
      doc: docBody({ ...doc, name: trimmed }),
      name: trimmed,
    });
    useLibrary.getState().set({
      doc: { ...doc, itemId: summary.id, name: summary.name, revision: summary.revision, builtin: false },
    });
    carrySpeed(speedFrom);
    markSaved();
    touch(summary.id);
    useLibrary.getState().bump();
    toast(`Saved a copy as "${summary.name}".`);
    return true;
  } catch (err) {
    reportError('Could not save a copy', err);
    return false;
  }
}

/** Save As: asks for a name. */
export function promptSaveAs(): void {
  const doc = useLibrary.getState().doc;
  if (!doc) return;
  useLibrary.getState().set({
    dialog: {
      kind: 'name',
      title: 'Save as',
      initial: doc.itemId ? `${doc.name} (copy)` : doc.name,
      confirm: 'Save',
      run: async (name) => {
        useLibrary.getState().set({ dialog: null });
        await saveAsName(name);
      },
    },
  });
}

/** Renames an item; the open document follows when it is the one renamed. */
export async function renameItem(id: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed) return;
  try {
    const summary = await call('library.rename', { id, name: trimmed });
    // Two items never share a name: the library numbered a taken one (docs/library.md "Names").
    if (summary.name !== trimmed) toast(`"${trimmed}" is taken, so it is "${summary.name}".`);
    const lib = useLibrary.getState();
    if (lib.doc?.itemId === id) {
      const wasClean = !lib.dirty;
      lib.set({ doc: { ...lib.doc, name: summary.name, revision: summary.revision } });
      if (wasClean) markSaved();
    }
    lib.bump();
  } catch (err) {
    reportError('Could not rename', err);
  }
}

export async function duplicateItem(id: string): Promise<void> {
  try {
    const summary = await call('library.duplicate', { id });
    useLibrary.getState().bump();
    toast(`Duplicated as "${summary.name}".`);
  } catch (err) {
    reportError('Could not duplicate', err);
  }
}

/** Moves an item to the trash; the open document becomes a new, unsaved one. */
export async function trashItem(id: string): Promise<void> {
  try {
    const summary = await call('library.trash', { id });
    const lib = useLibrary.getState();
    if (lib.doc?.itemId === id) lib.set({ doc: { ...lib.doc, itemId: null, revision: 0, builtin: false } });
    lib.bump();
    toast(`Moved "${summary.name}" to the trash.`);
  } catch (err) {
    reportError('Could not delete', err);
  }
}

/**
 * Puts a built-in back as shipped. The person's edited version (from a DSLab before built-ins
 * were read-only) is kept by the store as their own item; when the built-in is open, unsaved
 * changes are asked about first and the canvas shows the shipped version after.
 */
export async function restoreBuiltin(id: string): Promise<void> {
  const isOpen = () => useLibrary.getState().doc?.itemId === id;
  if (isOpen() && !(await leaveDoc())) return;
  try {
    const { item, copy } = await call('library.restoreBuiltin', { id });
    useLibrary.getState().bump();
    if (isOpen()) showRecord(await call('library.get', { id }));
    toast(
      copy
        ? `Restored "${item.name}" as shipped. Your version is kept as "${copy.name}".`
        : `"${item.name}" is as shipped.`,
    );
  } catch (err) {
    reportError('Could not restore the built-in', err);
  }
}

export async function restoreItem(id: string): Promise<void> {
  try {
    const summary = await call('library.restore', { id });
    useLibrary.getState().bump();
    toast(`Restored "${summary.name}".`);
  } catch (err) {
    reportError('Could not restore', err);
  }
}

export function askEmptyTrash(): void {
  const close = () => useLibrary.getState().set({ dialog: null });
  useLibrary.getState().set({
    dialog: {
      kind: 'ask',
      title: 'Empty the trash?',
      body: 'Everything in the trash is deleted for good, with its runs. This cannot be undone.',
      buttons: [
        {
          label: 'Empty trash',
          tone: 'danger',
          run: async () => {
            close();
            try {
              const { deleted } = await call('library.emptyTrash', {});
              useLibrary.getState().bump();
              toast(`Deleted ${deleted} ${deleted === 1 ? 'item' : 'items'} for good.`);
            } catch (err) {
              reportError('Could not empty the trash', err);
            }
          },
        },
        { label: 'Cancel', run: close },
      ],
    },
  });
}

/** Shows why a file was refused: one line per problem ("$.path: reason"). */
export function showImportProblems(fileName: string, message: string): void {
  const { lead, lines } = problemLines(message);
  useLibrary.getState().set({
    dialog: {
      kind: 'problems',
      title: 'Could not import',
      lede: `${fileName} was not imported; nothing in the library changed.${lead ? ` ${lead}` : ''}`,
      lines,
    },
  });
}

/** Imports a file's text (all or nothing) and opens the first item it brought. */
export async function importText(fileName: string, text: string): Promise<void> {
  let result: Res<'library.import'>;
  try {
    result = await call('library.import', { text });
  } catch (err) {
    showImportProblems(fileName, errorText(err));
    return;
  }
  const items = [...result.scenarios, ...result.exercises];
  useLibrary.getState().bump();
  toast(`Imported ${items.length} ${items.length === 1 ? 'item' : 'items'} from ${fileName}.`);
  const first = items[0];
  if (first) await openItem(first.id);
}

/** The autosave loop and the dirty flag: both follow edits to the graph and the seed. */
export function startDocFollower(): () => void {
  let dirtyTimer: ReturnType<typeof setTimeout> | undefined;
  let autosaveTimer: ReturnType<typeof setTimeout> | undefined;
  const recompute = () => {
    const lib = useLibrary.getState();
    if (!lib.doc) return;
    const dirty = snapshot() !== lib.savedJson;
    if (dirty !== lib.dirty) lib.set({ dirty });
    clearTimeout(autosaveTimer);
    if (dirty && lib.doc.itemId) autosaveTimer = setTimeout(autosave, AUTOSAVE_IDLE_MS);
  };
  const changed = () => {
    clearTimeout(dirtyTimer);
    dirtyTimer = setTimeout(recompute, DIRTY_DEBOUNCE_MS);
  };
  const offGraph = useGraph.subscribe((g, prev) => {
    if (g.nodes !== prev.nodes || g.edges !== prev.edges || g.base !== prev.base) changed();
  });
  const offSeed = usePlayback.subscribe((p, prev) => {
    if (p.seed !== prev.seed) changed();
  });
  const offLib = useLibrary.subscribe((l, prev) => {
    if (l.doc?.name !== prev.doc?.name) changed();
  });
  // The welcome view steps aside once the person works on the cluster below it.
  const closeWelcome = () => {
    if (useLibrary.getState().welcome) useLibrary.getState().set({ welcome: false });
  };
  const offWelcomeGraph = useGraph.subscribe((g, prev) => {
    if (g.topoRev !== prev.topoRev && g.loadCount === prev.loadCount) closeWelcome();
  });
  const offWelcomeRun = useRun.subscribe((r, prev) => {
    if (r.simId && !prev.simId) closeWelcome();
  });
  return () => {
    offWelcomeGraph();
    offWelcomeRun();
    clearTimeout(dirtyTimer);
    clearTimeout(autosaveTimer);
    offGraph();
    offSeed();
    offLib();
  };
}

async function autosave(): Promise<void> {
  const lib = useLibrary.getState();
  const id = lib.doc?.itemId;
  if (!id || !lib.dirty) return;
  try {
    await call('library.autosave', { id, doc: docBody() });
  } catch (err) {
    reportError('Could not keep an autosave', err);
  }
}

/** Offers each autosave a previous session left; resolves true when one was recovered. */
async function offerRecovery(): Promise<boolean> {
  let found: Res<'library.recoverAutosaves'>;
  try {
    found = await call('library.recoverAutosaves', {});
  } catch {
    return false;
  }
  for (const autosaved of found) {
    const choice = await new Promise<'recover' | 'discard'>((resolve) => {
      const close = (c: 'recover' | 'discard') => {
        useLibrary.getState().set({ dialog: null });
        resolve(c);
      };
      const changed =
        autosaved.baseRevision !== autosaved.currentRevision
          ? ' It was saved elsewhere since; saving the recovered version will ask what to do.'
          : '';
      const when = new Date(autosaved.savedAt).toLocaleString();
      useLibrary.getState().set({
        dialog: {
          kind: 'ask',
          title: `Recover unsaved changes to ${autosaved.name}?`,
          body: `DSLab kept changes to "${autosaved.name}" from ${when} that were never saved.${changed}${
            autosaved.problem ? ` (They do not validate yet: ${autosaved.problem})` : ''
          }`,
          buttons: [
            { label: 'Recover', tone: 'primary', run: () => close('recover') },
            { label: 'Discard', run: () => close('discard') },
          ],
        },
      });
    });
    if (choice === 'discard') {
      await call('library.discardAutosave', { id: autosaved.id }).catch(() => undefined);
      continue;
    }
    try {
      const record = await call('library.open', { id: autosaved.id });
      const ok = showRecord({ ...record, revision: autosaved.baseRevision }, autosaved.doc);
      if (ok) {
        // Later autosaves stay in the store and are offered at the next start.
        return true;
      }
    } catch (err) {
      reportError('Could not recover', err);
    }
  }
  return false;
}

/**
 * Where the person was: a recovered autosave, else the item opened last, else the protocol
 * they last chose (a new document), else the first run: the welcome view.
 */
export async function restoreSession(settings: Settings, protocols: ProtocolInfo[]): Promise<void> {
  if (await offerRecovery()) return;
  try {
    const [last] = await call('library.recent', { limit: 1 });
    // The item is where the person was unless they chose another protocol after opening it
    // (a topic's quick start, then another of its protocols: a new document of that one).
    const stillThere = !settings.lastProtocol || settings.lastProtocol === last?.protocol;
    if (
      last &&
      stillThere &&
      protocols.some((p) => p.id === last.protocol) &&
      (await openItem(last.id, { guard: false }))
    )
      return;
  } catch {
    // No recent items to go back to; fall through to the protocol choice.
  }
  const lastProtocol = protocols.find((p) => p.id === settings.lastProtocol);
  const inTopic = protocols.find((p) => p.topic === settings.lastTopic);
  const first = lastProtocol ?? inTopic ?? protocols[0];
  if (!first) return;
  try {
    newFromScenario(await call('catalog.defaultScenario', { protocol: first.id }));
  } catch (err) {
    reportError('Could not load the default scenario', err);
  }
  // The first run (nothing chosen, nothing opened): the welcome view offers the topics.
  if (!lastProtocol && !inTopic) useLibrary.getState().set({ welcome: true });
}

/** Exports items to a file (a download in the browser, a save dialog on the desktop). */
export async function exportItems(ids: string[], save: (fileName: string, text: string) => Promise<void>) {
  try {
    const { text, fileName } = await call('library.export', { ids });
    await save(fileName, text);
  } catch (err) {
    reportError('Could not export', err);
  }
}
