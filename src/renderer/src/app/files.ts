/**
 * Files in and out of the library. On the desktop (transport 'electron') the system dialogs
 * (files.open / files.save); in the browser a hidden file input and a download. Both: a
 * .dslab.json dropped anywhere on the window is imported.
 */
import { call, transport } from '../api/client';
import { useLibrary } from '../stores/library-store';
import { exportItems, importText, save, showImportProblems } from './library';
import { reportError } from './report';

/** The largest file the browser reads for import (the store's own cap on documents). */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;

let fileInput: HTMLInputElement | null = null;

/** The page's hidden file input registers itself here (web mode's Import). */
export function registerFileInput(el: HTMLInputElement | null): void {
  fileInput = el;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Reads a browser File and imports it; refuses one over the cap before reading it. */
export async function importBrowserFile(file: File): Promise<void> {
  if (file.size > IMPORT_MAX_BYTES) {
    showImportProblems(
      file.name,
      `The file is ${mib(file.size)}; DSLab imports files of at most ${mib(IMPORT_MAX_BYTES)}.`,
    );
    return;
  }
  let text: string;
  try {
    text = await file.text();
  } catch (err) {
    reportError(`Could not read ${file.name}`, err);
    return;
  }
  await importText(file.name, text);
}

let lastChooseMs = -Infinity;

/** Import: the system dialog on the desktop, the file chooser in the browser. */
export async function chooseAndImport(from: 'button' | 'keys' = 'keys'): Promise<void> {
  // The desktop menu's accelerator and the page's own Ctrl+O may both fire for one press;
  // a click on the Import button is always one request.
  const now = performance.now();
  if (from === 'keys' && now - lastChooseMs < 300) return;
  lastChooseMs = now;
  if (transport() === 'electron') {
    try {
      const file = await call('files.open', {});
      if (file) await importText(file.name, file.text);
    } catch (err) {
      reportError('Could not open the file', err);
    }
    return;
  }
  if (!fileInput) return;
  fileInput.value = '';
  fileInput.click();
}

/** Writes an exported file: the save dialog on the desktop, a download in the browser. */
export async function saveTextFile(fileName: string, text: string): Promise<void> {
  if (transport() === 'electron') {
    await call('files.save', { fileName, text });
    return;
  }
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Exports library items to a file. */
export function exportToFile(ids: string[]): Promise<void> {
  return exportItems(ids, saveTextFile);
}

/** Exports the open document (saving it first when it is new or changed: export reads the store). */
export async function exportOpenDoc(): Promise<void> {
  let id = useLibrary.getState().doc?.itemId;
  if (!id || useLibrary.getState().dirty) {
    if (!(await save())) return;
    id = useLibrary.getState().doc?.itemId;
  }
  if (id) await exportToFile([id]);
}

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

/**
 * Drop to import: a file dragged over the window shows the drop overlay; dropped, each
 * file is imported in turn. Palette drags (a custom MIME type, no files) are left alone.
 */
export function startDropImport(): () => void {
  let depth = 0;
  const set = (dropping: boolean) => {
    if (useLibrary.getState().dropping !== dropping) useLibrary.getState().set({ dropping });
  };
  const onEnter = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    depth++;
    set(true);
  };
  const onOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    set(true);
  };
  const onLeave = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) set(false);
  };
  const onDrop = (e: DragEvent) => {
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (files.length === 0) return;
    e.preventDefault();
    e.stopPropagation();
    depth = 0;
    set(false);
    void (async () => {
      for (const file of files) await importBrowserFile(file);
    })();
  };
  document.addEventListener('dragenter', onEnter, true);
  document.addEventListener('dragover', onOver, true);
  document.addEventListener('dragleave', onLeave, true);
  document.addEventListener('drop', onDrop, true);
  return () => {
    document.removeEventListener('dragenter', onEnter, true);
    document.removeEventListener('dragover', onOver, true);
    document.removeEventListener('dragleave', onLeave, true);
    document.removeEventListener('drop', onDrop, true);
  };
}
