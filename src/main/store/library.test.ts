import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { makeExercise, makeScenario, passingRun } from '../../../tests/store/fixtures';
import { canonicalJson } from '../../shared/files/canonical';
import { migrate } from './database';
import { contentHash, Library, LibraryError } from './library';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dslab-lib-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A library on an in-memory database with a clock that ticks 1000 ms per call. */
function mem(): { lib: Library; clock: { t: number } } {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const clock = { t: 1_700_000_000_000 };
  let n = 0;
  const lib = new Library(db, {
    now: () => (clock.t += 1000),
    newId: (p) => `${p}_${String(++n).padStart(4, '0')}`,
  });
  return { lib, clock };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof LibraryError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('Library: scenarios', () => {
  it('creates, gets and lists a scenario with its columns', () => {
    const { lib } = mem();
    const rec = lib.createScenario(makeScenario(5, 'Five'), {
      description: 'five nodes',
      tags: ['ring', 'Ring', ' small '],
    });
    expect(rec).toMatchObject({
      id: 'sc_0001',
      kind: 'scenario',
      name: 'Five',
      nodeCount: 5,
      revision: 1,
      tags: ['ring', 'small'],
    });
    expect(rec.scenario.topology.links[0]!.lossRate).toBe(0);
    expect(lib.getScenario('sc_0001').scenario.name).toBe('Five');
    expect(lib.list().items.map((i) => i.id)).toEqual(['sc_0001']);
    expect(code(() => lib.getExercise('sc_0001'))).toBe('not-found: sc_0001 is a scenario, not a exercise.');
    expect(code(() => lib.getScenario('nope'))).toBe(
      'not-found: No scenario with id nope is in the library.',
    );
  });

  it('refuses an invalid scenario naming the path, and a too-large one', () => {
    const { lib } = mem();
    const s = makeScenario(3);
    (s.topology.links[1] as { b: string }).b = 'n9';
    expect(code(() => lib.createScenario(s))).toBe(
      'invalid: The scenario is not valid: $.topology.links[1].b: link l2 names unknown node n9',
    );
    const huge = { ...makeScenario(2), name: 'x', params: { pad: 'y'.repeat(21 * 1024 * 1024) } };
    expect(code(() => lib.createScenario(huge))).toMatch(/^too-large: The scenario is 21\.0 MiB/);
    expect(lib.list().total).toBe(0);
  });

  it('reports a stored document that no longer validates instead of throwing raw', () => {
    const { lib } = mem();
    const { id } = lib.createScenario(makeScenario(3, 'Drifted'));
    lib.db.prepare("UPDATE item_docs SET doc = json_set(doc, '$.seed', -5)").run();
    expect(code(() => lib.getScenario(id))).toMatch(
      /^invalid: The stored scenario "Drifted" \(sc_0001\) does not validate with this DSLab: \$\.seed: /,
    );
    // It can still be listed, trashed and deleted.
    expect(lib.list().items[0]!.name).toBe('Drifted');
    lib.trash(id);
    expect(lib.emptyTrash()).toBe(1);
  });

  it('saves with a revision check and refuses a stale save with a conflict', () => {
    const { lib } = mem();
    const { id } = lib.createScenario(makeScenario(3, 'A'));
    const s = lib.getScenario(id).scenario;
    const r2 = lib.save(id, { ...s, seed: 9 }, 1);
    expect(r2.revision).toBe(2);
    expect(code(() => lib.save(id, { ...s, seed: 10 }, 1))).toBe(
      'conflict: Scenario "A" was saved elsewhere (it is at revision 2; this edit started from 1). Reload it, or save yours as a copy.',
    );
    expect(lib.getScenario(id).scenario.seed).toBe(9);
  });

  it('save as, rename, duplicate', () => {
    const { lib } = mem();
    const { id } = lib.createScenario(makeScenario(3, 'A'), { tags: ['t'], description: 'd' });
    const copy = lib.saveAs(id, { ...makeScenario(4, 'ignored') }, 'B');
    expect(copy).toMatchObject({ name: 'B', nodeCount: 4, tags: ['t'], description: 'd', revision: 1 });
    expect(lib.getScenario(copy.id).scenario.name).toBe('B');
    const renamed = lib.rename(id, '  A2 ');
    expect(renamed).toMatchObject({ name: 'A2', revision: 2 });
    expect(lib.getScenario(id).scenario.name).toBe('A2');
    expect(code(() => lib.rename(id, 'A3', 1))).toMatch(/^conflict: /);
    expect(code(() => lib.rename(id, '   '))).toBe('invalid: A name cannot be empty.');
    const dup = lib.duplicate(id);
    expect(dup).toMatchObject({ name: 'A2 (copy)', tags: ['t'], builtin: false });
    expect(lib.list({ sort: 'name' }).items.map((i) => i.name)).toEqual(['A2', 'A2 (copy)', 'B']);
  });

  it('never gives two items one name: automatic names get the first free number', () => {
    const { lib } = mem();
    const a = lib.createScenario(makeScenario(3, 'Raft quick start'));
    // Saving a second fresh quick start, importing one, a duplicate, a save as.
    expect(lib.createScenario(makeScenario(3, 'raft QUICK start')).name).toBe('raft QUICK start (2)');
    expect(lib.importFile(lib.exportFile(a.id)).scenarios[0]!.name).toBe('Raft quick start (3)');
    expect(lib.duplicate(a.id).name).toBe('Raft quick start (copy)');
    expect(lib.duplicate(a.id).name).toBe('Raft quick start (copy 2)');
    const s = lib.getScenario(a.id).scenario;
    expect(lib.saveAs(a.id, s, 'Raft quick start (copy)').name).toBe('Raft quick start (copy 3)');
    // The document's own name follows the item's.
    const b = lib.createScenario(makeScenario(3, 'B'));
    const renamed = lib.rename(b.id, 'Raft quick start (2)');
    expect(renamed.name).toBe('Raft quick start (4)');
    expect(lib.getScenario(b.id).scenario.name).toBe('Raft quick start (4)');
    // Renaming an item to its own name, or saving it unchanged, keeps it.
    expect(lib.rename(a.id, 'Raft quick start').name).toBe('Raft quick start');
    expect(lib.save(a.id, s, lib.getScenario(a.id).revision).name).toBe('Raft quick start');
    // A save that renames the document to another item's name gets a free one.
    const c = lib.createScenario(makeScenario(3, 'C'));
    expect(lib.save(c.id, { ...makeScenario(3, 'B2'), name: 'Raft quick start' }, 1).name).toBe(
      'Raft quick start (5)',
    );
    const names = lib.list({ limit: 100 }).items.map((i) => i.name.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  });

  it('frees the name of a trashed item; restoring it then gives it a free one', () => {
    const { lib } = mem();
    const a = lib.createScenario(makeScenario(3, 'A'));
    lib.trash(a.id);
    const b = lib.createScenario(makeScenario(3, 'A'));
    expect(b.name).toBe('A');
    const back = lib.restore(a.id);
    expect(back.name).toBe('A (2)');
    expect(lib.getScenario(a.id).scenario.name).toBe('A (2)');
    expect(
      lib
        .list()
        .items.map((i) => i.name)
        .sort(),
    ).toEqual(['A', 'A (2)']);
  });

  it('trash, restore, empty the trash (runs and autosaves go with it)', () => {
    const { lib } = mem();
    const a = lib.createScenario(makeScenario(3, 'A'));
    const b = lib.createScenario(makeScenario(3, 'B'));
    lib.recordRun(a.id, passingRun());
    lib.autosave(a.id, { draft: true });
    expect(lib.trash(a.id).trashedAt).not.toBeNull();
    expect(lib.list().items.map((i) => i.name)).toEqual(['B']);
    expect(lib.list({ trash: true }).items.map((i) => i.name)).toEqual(['A']);
    expect(lib.search('A')).toEqual([]);
    lib.restore(a.id);
    expect(lib.list().total).toBe(2);
    lib.trash(a.id);
    lib.trash(b.id);
    expect(lib.emptyTrash()).toBe(2);
    expect(lib.list({ trash: true }).total).toBe(0);
    expect(lib.db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 0 });
    expect(lib.db.prepare('SELECT count(*) AS n FROM autosaves').get()).toEqual({ n: 0 });
    expect(lib.db.prepare('SELECT count(*) AS n FROM items_fts').get()).toEqual({ n: 0 });
  });

  it('tags: add, remove, filter, count', () => {
    const { lib } = mem();
    const a = lib.createScenario(makeScenario(3, 'A'), { tags: ['raft'] });
    const b = lib.createScenario(makeScenario(3, 'B'));
    expect(lib.addTags(b.id, ['RAFT', 'lab']).tags).toEqual(['RAFT', 'lab']);
    expect(
      lib
        .list({ tag: 'raft' })
        .items.map((i) => i.name)
        .sort(),
    ).toEqual(['A', 'B']);
    expect(lib.allTags().map((t) => [t.tag.toLowerCase(), t.count])).toEqual([
      ['lab', 1],
      ['raft', 2],
    ]);
    expect(lib.removeTags(a.id, ['Raft']).tags).toEqual([]);
    expect(lib.list({ tag: 'raft' }).items.map((i) => i.name)).toEqual(['B']);
    expect(code(() => lib.addTags(a.id, ['a,b']))).toBe(
      'invalid: The tag "a,b" has a comma or a control character.',
    );
    expect(lib.search('lab').map((i) => i.name)).toEqual(['B']);
  });

  it('searches name, description, tags, protocol and topic by word prefix', () => {
    const { lib } = mem();
    lib.createScenario(makeScenario(3, 'Leader election'), { description: 'split votes under loss' });
    lib.createScenario({ ...makeScenario(3, 'Gossip'), protocol: 'broadcast' }, { tags: ['epidemic'] });
    expect(lib.search('lead').map((i) => i.name)).toEqual(['Leader election']);
    expect(lib.search('split LOSS').map((i) => i.name)).toEqual(['Leader election']);
    expect(lib.search('epidem').map((i) => i.name)).toEqual(['Gossip']);
    expect(lib.search('broadcast').map((i) => i.name)).toEqual(['Gossip']);
    expect(lib.search('ping-pong').map((i) => i.name)).toEqual(['Leader election']);
    expect(lib.search('basics').length).toBe(2);
    expect(lib.search('"*) OR NEAR(')).toEqual([]);
    expect(lib.search('')).toEqual([]);
    lib.rename(lib.search('gossip')[0]!.id, 'Rumour mill');
    expect(lib.search('gossip')).toEqual([]);
    expect(lib.search('rumour').length).toBe(1);
  });

  it('lists with paging and sorting, and keeps recently opened items', () => {
    const { lib } = mem();
    const ids = ['C', 'A', 'B'].map((n) => lib.createScenario(makeScenario(2, n)).id);
    expect(lib.list({ sort: 'name', limit: 2 }).items.map((i) => i.name)).toEqual(['A', 'B']);
    expect(lib.list({ sort: 'name', limit: 2, offset: 2 })).toMatchObject({
      total: 3,
      items: [{ name: 'C' }],
    });
    expect(lib.list({ sort: 'created' }).items.map((i) => i.name)).toEqual(['B', 'A', 'C']);
    expect(lib.recent()).toEqual([]);
    lib.openItem(ids[1]!);
    lib.openItem(ids[0]!);
    expect(lib.recent().map((i) => i.name)).toEqual(['C', 'A']);
    expect(lib.list({ sort: 'opened', limit: 1 }).items[0]!.name).toBe('C');
  });

  it('autosaves the open document and offers it back after a crash', () => {
    const dir = tmp();
    const a = Library.open(dir);
    const { id } = a.createScenario(makeScenario(3, 'Draft'));
    a.autosave(id, { ...makeScenario(3, 'Draft'), seed: 42 });
    a.autosave(id, { ...makeScenario(3, 'Draft'), seed: 43 });
    // The process dies here without saving: nothing closes the database.
    const b = Library.open(dir);
    const found = b.recoverAutosaves();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ id, name: 'Draft', baseRevision: 1, currentRevision: 1, problem: null });
    expect((found[0]!.doc as { seed: number }).seed).toBe(43);
    expect(b.getSummary(id).hasAutosave).toBe(true);
    b.save(id, found[0]!.doc, found[0]!.currentRevision);
    expect(b.recoverAutosaves()).toEqual([]);
    b.autosave(id, { half: 'edited' });
    expect(b.recoverAutosaves()[0]!.problem).toMatch(/^The scenario is not valid: /);
    b.discardAutosave(id);
    expect(b.recoverAutosaves()).toEqual([]);
    a.close();
    b.close();
  });
});

describe('Library: exercises and runs', () => {
  it('stores an exercise and grades its runs for a learner', () => {
    const { lib } = mem();
    const ex = lib.createExercise(makeExercise('Break it'), { tags: ['lab'] });
    expect(ex).toMatchObject({ kind: 'exercise', name: 'Break it', protocol: 'broadcast', nodeCount: 4 });
    expect(ex.exercise.goals).toHaveLength(4);
    const good = lib.recordRun(ex.id, passingRun(5), { learner: 'Ada' });
    expect(good).toMatchObject({
      itemId: ex.id,
      seed: 5,
      outcome: 'violation',
      learner: 'Ada',
      passed: true,
      revision: 1,
    });
    expect(good.grade!.goals.every((g) => g.passed)).toBe(true);
    const bad = lib.recordRun(ex.id, { ...passingRun(6), invariants: [{ id: 'no-duplication', ok: true }] });
    expect(bad.passed).toBe(false);
    expect(bad.grade!.goals[0]!.why).toMatch(/find a schedule that breaks it/);
    expect(lib.listRuns(ex.id).map((r) => r.id)).toEqual([bad.id, good.id]);
    expect(lib.getRun(good.id).summary.metrics.deliveredTotal).toBe(9);
    expect(code(() => lib.recordRun(ex.id, { seed: -1 }))).toMatch(
      /^invalid: The run summary is not valid: \$\.seed: /,
    );
  });

  it('records a scenario run without a grade', () => {
    const { lib } = mem();
    const { id } = lib.createScenario(makeScenario(3));
    expect(lib.recordRun(id, passingRun())).toMatchObject({ passed: null, grade: null });
  });

  it('saves an exercise with its own validation', () => {
    const { lib } = mem();
    const ex = lib.createExercise(makeExercise());
    expect(code(() => lib.save(ex.id, { ...ex.exercise, locks: ['wheels'] }, 1))).toMatch(
      /^invalid: The exercise is not valid: \$\.locks\[0\]: a lock is one of/,
    );
    expect(lib.save(ex.id, { ...ex.exercise, title: 'T2' }, 1)).toMatchObject({ name: 'T2', revision: 2 });
  });
});

describe('Library: files', () => {
  it('exports and imports a scenario, an exercise and a bundle', () => {
    const { lib } = mem();
    const s = lib.createScenario(makeScenario(3, 'S'), { tags: ['x'], description: 'd' });
    const e = lib.createExercise(makeExercise('E'));
    const one = lib.exportFile(s.id);
    expect(JSON.parse(one)).toMatchObject({
      format: 'dslab',
      kind: 'scenario',
      schemaVersion: 1,
      tags: ['x'],
      description: 'd',
    });
    const bundle = lib.exportFile([s.id, e.id], { title: 'Week 1' });
    expect(JSON.parse(bundle)).toMatchObject({ kind: 'bundle', title: 'Week 1' });
    const r = lib.importFile(bundle);
    // Imported beside the originals, so under free names (the library's names are unique).
    expect(r.scenarios.map((i) => i.name)).toEqual(['S (2)']);
    expect(r.exercises.map((i) => i.name)).toEqual(['E (2)']);
    expect(r.scenarios[0]!.id).not.toBe(s.id);
    expect(lib.getScenario(r.scenarios[0]!.id).scenario).toEqual({
      ...lib.getScenario(s.id).scenario,
      name: 'S (2)',
    });
    expect(lib.list().total).toBe(4);
    expect(code(() => lib.exportFile(['missing']))).toMatch(/^not-found/);
  });

  it('refuses a bad file without writing anything', () => {
    const { lib } = mem();
    lib.createScenario(makeScenario(3, 'keep'));
    const before = lib.db.prepare('SELECT total_changes() AS n').get();
    expect(code(() => lib.importFile('{"format":"dslab","kind":"scenario","schemaVersion":1}'))).toBe(
      'invalid: This is not a valid DSLab file: $.scenario: Invalid input: expected object, received undefined',
    );
    expect(lib.db.prepare('SELECT total_changes() AS n').get()).toEqual(before);
  });

  it('refuses a workload key list that is empty or too long, instead of storing the default keys', () => {
    const { lib } = mem();
    const withKeys = (keys: unknown) =>
      JSON.stringify({
        format: 'dslab',
        kind: 'scenario',
        schemaVersion: 1,
        scenario: { ...makeScenario(3, 'keys'), workload: { kind: 'open', ratePerS: 10, keys } },
      });
    expect(code(() => lib.importFile(withKeys({ list: [] })))).toMatch(
      /^invalid: This is not a valid DSLab file: \$\.scenario\.workload\.keys\.list: Too small: expected array to have >=1 items$/,
    );
    const many = Array.from({ length: 100_001 }, (_, i) => `k${i}`);
    expect(code(() => lib.importFile(withKeys({ list: many })))).toMatch(
      /^invalid: This is not a valid DSLab file: \$\.scenario\.workload\.keys\.list: Too big: expected array to have <=100000 items$/,
    );
    expect(lib.list().total).toBe(0);
    // The two valid forms still import.
    const ok = lib.importFile(withKeys({ list: ['a', 'b'] }));
    expect(lib.getScenario(ok.scenarios[0]!.id).scenario.workload).toMatchObject({
      keys: { list: ['a', 'b'] },
    });
    const pattern = lib.importFile(withKeys({ count: 5 }));
    expect(lib.getScenario(pattern.scenarios[0]!.id).scenario.workload).toMatchObject({
      keys: { pattern: 'key-{i}', count: 5 },
    });
  });

  it('refuses deeply nested documents with the path, through the API methods and import alike', () => {
    const { lib } = mem();
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    const exercise = { ...makeExercise('deep'), variant: { params: { payloadBytes: { choices: [deep] } } } };
    expect(code(() => lib.createExercise(exercise))).toMatch(
      /^invalid: The exercise is not valid: \$\.variant\.params\.payloadBytes\.choices(\[0\])+: nested deeper than 64 levels of lists and objects$/,
    );
    const file = JSON.stringify({
      format: 'dslab',
      kind: 'exercise',
      schemaVersion: 1,
      exercise: { ...exercise, variant: { params: { payloadBytes: { choices: ['@'] } } } },
    }).replace('"@"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(code(() => lib.importFile(file))).toMatch(
      /^invalid: This is not a valid DSLab file: \$\.exercise\.variant\.params\.payloadBytes\.choices(\[0\])+: nested deeper than 64 levels of lists and objects$/,
    );
    expect(lib.list().total).toBe(0);
  });

  it('writes all of an import or none of it', () => {
    const { lib } = mem();
    lib.db.exec(
      "CREATE TRIGGER boom BEFORE INSERT ON items WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END",
    );
    const text = JSON.stringify({
      format: 'dslab',
      kind: 'bundle',
      schemaVersion: 1,
      scenarios: [
        { scenario: makeScenario(2, 'ok1') },
        { scenario: makeScenario(2, 'ok2') },
        { scenario: makeScenario(2, 'boom') },
      ],
    });
    expect(() => lib.importFile(text)).toThrow(/boom/);
    expect(lib.list().total).toBe(0);
    expect(lib.db.prepare('SELECT count(*) AS n FROM items_fts').get()).toEqual({ n: 0 });
  });
});

/**
 * Edits a built-in's stored document the way a DSLab from before built-ins were read-only
 * saved it (today's `save` refuses): new body, its content hash, the next revision.
 */
function legacyEdit(lib: Library, id: string, change: Record<string, unknown>): void {
  const rec = lib.getScenario(id);
  const doc = canonicalJson({ ...rec.scenario, ...change });
  lib.db
    .prepare('UPDATE item_docs SET doc = ? WHERE item_seq = (SELECT seq FROM items WHERE id = ?)')
    .run(doc, id);
  lib.db
    .prepare('UPDATE items SET name = ?, content_hash = ?, revision = revision + 1 WHERE id = ?')
    .run((change.name as string | undefined) ?? rec.name, contentHash(doc, rec.description), id);
}

describe('Library: built-ins', () => {
  const file = (key: string, name: string, seed: number, description = '') =>
    JSON.stringify({
      format: 'dslab',
      kind: 'scenario',
      schemaVersion: 1,
      key,
      description,
      scenario: makeScenario(3, name, seed),
    });

  it('seeds once, updates untouched built-ins, keeps changed ones, does not resurrect deleted ones', () => {
    const { lib } = mem();
    const v1 = [
      { name: 'a.dslab.json', text: file('b:a', 'A', 1) },
      { name: 'b.dslab.json', text: file('b:b', 'B', 1) },
      { name: 'c.dslab.json', text: file('b:c', 'C', 1) },
    ];
    expect(lib.seedBuiltins(v1)).toEqual({
      added: ['b:a', 'b:b', 'b:c'],
      updated: [],
      kept: [],
      skipped: [],
      unchanged: [],
      refused: [],
    });
    expect(lib.seedBuiltins(v1).unchanged).toEqual(['b:a', 'b:b', 'b:c']);
    const byName = (n: string) => lib.list().items.find((i) => i.name === n)!;
    expect(byName('A').builtin).toBe(true);
    // B was edited by a DSLab from before built-ins were read-only; the person deletes C.
    legacyEdit(lib, byName('B').id, { seed: 99 });
    lib.trash(byName('C').id);
    lib.emptyTrash();
    // A new DSLab ships new versions of all three, and a fourth.
    const v2 = [
      { name: 'a.dslab.json', text: file('b:a', 'A', 2, 'new') },
      { name: 'b.dslab.json', text: file('b:b', 'B', 2) },
      { name: 'c.dslab.json', text: file('b:c', 'C', 2) },
      { name: 'd.dslab.json', text: file('b:d', 'D', 1) },
    ];
    expect(lib.seedBuiltins(v2)).toEqual({
      added: ['b:d'],
      updated: ['b:a'],
      kept: ['b:b'],
      skipped: ['b:c'],
      unchanged: [],
      refused: [],
    });
    expect(lib.getScenario(byName('A').id).scenario.seed).toBe(2);
    expect(byName('A')).toMatchObject({ description: 'new', revision: 2 });
    expect(lib.getScenario(byName('B').id).scenario.seed).toBe(99);
    expect(
      lib
        .list()
        .items.map((i) => i.name)
        .sort(),
    ).toEqual(['A', 'B', 'D']);
    // A later upgrade still leaves B alone.
    expect(lib.seedBuiltins([{ name: 'b.dslab.json', text: file('b:b', 'B', 3) }]).kept).toEqual(['b:b']);
    // Duplicating a built-in gives the person's own copy.
    expect(lib.duplicate(byName('A').id).builtin).toBe(false);
  });

  it('refuses to save over, rename or re-describe a built-in, and nothing changes', () => {
    const { lib } = mem();
    lib.seedBuiltins([{ name: 'a.dslab.json', text: file('b:a', 'Ring', 1, 'as shipped') }]);
    const a = lib.list().items[0]!;
    expect(a).toMatchObject({ builtin: true, builtinEdited: false });
    const changed = { ...lib.getScenario(a.id).scenario, protocol: 'raft' };
    expect(code(() => lib.save(a.id, changed, a.revision))).toBe(
      'read-only: "Ring" is a built-in and stays as shipped, so it cannot be saved over. Save your version as a new item (Save As) or duplicate it.',
    );
    expect(code(() => lib.rename(a.id, 'Mine'))).toMatch(
      /^read-only: "Ring" is a built-in .* keeps its name/,
    );
    expect(code(() => lib.setDescription(a.id, 'mine'))).toMatch(/^read-only: .*keeps its description/);
    expect(lib.getSummary(a.id)).toEqual(a);
    expect(lib.getScenario(a.id).scenario.protocol).toBe('ping-pong');
    // Save As is the way: a copy of the person's own, which saves like any item.
    const copy = lib.saveAs(a.id, changed, 'My ring');
    expect(copy).toMatchObject({ name: 'My ring', builtin: false, builtinEdited: false });
    expect(lib.save(copy.id, { ...changed, name: 'My ring', seed: 4 }, copy.revision).revision).toBe(2);
  });

  it('restores an edited built-in as shipped and keeps the edited version as a copy', () => {
    const { lib } = mem();
    const v1 = [
      { name: 'a.dslab.json', text: file('b:a', 'Ring', 1, 'as shipped') },
      { name: 'b.dslab.json', text: file('b:b', 'Other', 1) },
    ];
    lib.seedBuiltins(v1);
    const byName = (n: string) => lib.list().items.find((i) => i.name === n)!;
    const ring = byName('Ring');
    lib.addTags(ring.id, ['mine']);
    legacyEdit(lib, ring.id, { seed: 99, name: 'Ring, my way' });
    lib.autosave(ring.id, { draft: true });
    expect(byName('Ring, my way')).toMatchObject({ builtin: true, builtinEdited: true });
    expect(byName('Other').builtinEdited).toBe(false);

    // A later start seeds the same files and leaves the edited one as it is.
    expect(lib.seedBuiltins(v1).unchanged).toEqual(['b:a', 'b:b']);
    expect(byName('Ring, my way').builtinEdited).toBe(true);
    const { item, copy } = lib.restoreBuiltin(ring.id);
    expect(item).toMatchObject({
      id: ring.id,
      name: 'Ring',
      description: 'as shipped',
      builtin: true,
      builtinEdited: false,
      hasAutosave: false,
      tags: ['mine'],
    });
    expect(lib.getScenario(ring.id).scenario.seed).toBe(1);
    expect(copy).toMatchObject({ name: 'Ring, my way (your version)', builtin: false, tags: ['mine'] });
    expect(lib.getScenario(copy!.id).scenario.seed).toBe(99);
    expect(lib.search('shipped').map((i) => i.name)).toEqual(['Ring', 'Ring, my way (your version)']);
    // Restoring one that is as shipped changes nothing and makes no copy.
    expect(lib.restoreBuiltin(ring.id)).toEqual({ item, copy: null });
    expect(lib.seedBuiltins(v1).unchanged).toEqual(['b:a', 'b:b']);
  });

  it('refuses to restore an item that is not a built-in, or one no longer shipped', () => {
    const { lib } = mem();
    lib.seedBuiltins([{ name: 'a.dslab.json', text: file('b:a', 'Ring', 1) }]);
    const ring = lib.list().items[0]!;
    const own = lib.createScenario(makeScenario(2, 'Own'));
    expect(code(() => lib.restoreBuiltin(own.id))).toBe(
      'invalid: "Own" is not a built-in, so there is no shipped version to restore.',
    );
    lib.seedBuiltins([]);
    expect(code(() => lib.restoreBuiltin(ring.id))).toBe(
      'not-found: "Ring" is no longer shipped with this DSLab, so there is no version to restore.',
    );
  });

  it('reports a broken built-in file and still seeds the others', () => {
    const { lib } = mem();
    const noKey = JSON.stringify({
      format: 'dslab',
      kind: 'scenario',
      schemaVersion: 1,
      scenario: makeScenario(2),
    });
    const report = lib.seedBuiltins([
      { name: 'x.dslab.json', text: noKey },
      { name: 'y.dslab.json', text: '{"format":"dslab"' },
      { name: 'z.dslab.json', text: file('b:z', 'Z', 1) },
      { name: 'w.dslab.json', text: file('b:z', 'W', 1) },
    ]);
    expect(report.added).toEqual(['b:z']);
    expect(report.refused).toEqual([
      'x.dslab.json: every item needs a "key".',
      expect.stringMatching(/^y\.dslab\.json: This is not a DSLab file: \$: not JSON/),
      'w.dslab.json: the key b:z is used twice.',
    ]);
  });
});
