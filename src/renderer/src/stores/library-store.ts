/**
 * The open document and the library's interface state: which item is open (or an unsaved new
 * document), whether it has unsaved changes, the sidebar tab, the welcome view, the library
 * list's filters, and the library's dialogs. Plain state; src/app/library.ts fills it.
 */
import { create } from 'zustand';
import type { Res } from '../../../shared/api';
import type { Exercise } from '../../../shared/exercise/schema';

/** An item as lists show it. */
export type ItemSummary = Res<'library.list'>['items'][number];

/** The open document: a saved item, or a new one that has never been saved. */
export interface OpenDoc {
  /** The library item, or null for a new document (first Save creates it). */
  itemId: string | null;
  /** Scenario or exercise. */
  kind: 'scenario' | 'exercise';
  /** What the title shows. */
  name: string;
  /** The revision the editor loaded (sent with Save; a stale one is a conflict). */
  revision: number;
  /** Seeded from the built-in library: read-only, so Save makes a copy. */
  builtin: boolean;
  /** The exercise around the scenario, for kind 'exercise'. */
  exercise: Exercise | null;
}

/** A library dialog: a question with buttons, a list of problems, or a name to type. */
export type LibraryDialog =
  | {
      kind: 'ask';
      /** Dialog title. */
      title: string;
      /** One or two sentences. */
      body: string;
      /** Buttons, the first is the default action. */
      buttons: { label: string; tone?: 'primary' | 'danger'; run(): void | Promise<void> }[];
    }
  | {
      kind: 'problems';
      /** Dialog title. */
      title: string;
      /** A sentence above the list. */
      lede: string;
      /** One problem per line ("$.path: reason"). */
      lines: string[];
    }
  | {
      kind: 'name';
      /** Dialog title. */
      title: string;
      /** A sentence above the field (optional). */
      lede?: string;
      /** Initial text. */
      initial: string;
      /** The confirm button's label. */
      confirm: string;
      run(name: string): void | Promise<void>;
      /** Called when the dialog is cancelled (Cancel, Esc, the close button), before it closes. */
      cancel?(): void;
    };

export type SidebarTab = 'parts' | 'library';
export type LibrarySort = 'updated' | 'name' | 'created' | 'opened';

interface LibraryState {
  /** The open document, or null before anything is open. */
  doc: OpenDoc | null;
  /** Unsaved changes since the last load or save. */
  dirty: boolean;
  /** Canonical JSON of the document as last loaded or saved (what "dirty" compares with). */
  savedJson: string;
  /** The welcome view is showing. */
  welcome: boolean;
  /** The left sidebar's tab. */
  sidebar: SidebarTab;
  /** The bottom panel shows the Exercise tab (it sits beside the ui store's tabs). */
  exerciseTab: boolean;
  /** Library list: search text. */
  query: string;
  /** Library list: tag filter ('' for all). */
  tag: string;
  /** Library list: sort. */
  sort: LibrarySort;
  /** Library list: the trash instead of the library. */
  trash: boolean;
  /** Bumped after every change to the library, so lists refetch. */
  listRev: number;
  /** The item whose name is being edited in the list. */
  renamingId: string | null;
  /** A file is being dragged over the window. */
  dropping: boolean;
  /** The open library dialog. */
  dialog: LibraryDialog | null;
  /** Exercise tab: hints revealed so far (kept while the tab is closed). */
  hintsShown: number;
  /** Exercise tab: the last submitted run and its grade. */
  lastRun: Res<'runs.record'> | null;
  set(patch: Partial<Omit<LibraryState, 'set' | 'bump'>>): void;
  /** The library changed: lists refetch. */
  bump(): void;
}

export const useLibrary = create<LibraryState>()((set) => ({
  doc: null,
  dirty: false,
  savedJson: '',
  welcome: false,
  sidebar: 'parts',
  exerciseTab: false,
  query: '',
  tag: '',
  sort: 'updated',
  trash: false,
  listRev: 0,
  renamingId: null,
  dropping: false,
  dialog: null,
  hintsShown: 0,
  lastRun: null,
  set: (patch) => set(patch),
  bump: () => set((s) => ({ listRev: s.listRev + 1 })),
}));

/** The learner's name (for exercise variants), kept in localStorage across sessions. */
export const LEARNER_KEY = 'dslab.learner';

function readLearner(): string {
  try {
    return localStorage.getItem(LEARNER_KEY) ?? '';
  } catch {
    return '';
  }
}

interface LearnerState {
  /** The name as typed. */
  name: string;
  setName(name: string): void;
}

export const useLearner = create<LearnerState>()((set) => ({
  name: readLearner(),
  setName: (name) => {
    try {
      localStorage.setItem(LEARNER_KEY, name);
    } catch {
      // Storage may be off; the name still applies in this session.
    }
    set({ name });
  },
}));
