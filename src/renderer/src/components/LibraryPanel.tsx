/**
 * The Library tab of the left sidebar: built-in and own scenarios and exercises, with search
 * (library.search), a tag filter, sorting and the trash. Click an item to see what it is and
 * act on it (Open, Duplicate, Rename in place, Export, Delete); double-click opens it.
 */
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { topicTitle } from '../../../shared/topics';
import { call } from '../api/client';
import { chooseAndImport, exportToFile } from '../app/files';
import {
  askEmptyTrash,
  duplicateItem,
  openItem,
  renameItem,
  restoreBuiltin,
  restoreItem,
  trashItem,
} from '../app/library';
import { type ItemSummary, type LibrarySort, useLibrary } from '../stores/library-store';

const SORTS: { id: LibrarySort; label: string }[] = [
  { id: 'updated', label: 'Changed' },
  { id: 'opened', label: 'Opened' },
  { id: 'name', label: 'Name' },
  { id: 'created', label: 'Created' },
];

/** Fetches the list for the current filters; refetches when the library changes. */
function useItems(): { items: ItemSummary[]; loading: boolean; error: string | null } {
  const query = useLibrary((s) => s.query);
  const tag = useLibrary((s) => s.tag);
  const sort = useLibrary((s) => s.sort);
  const trash = useLibrary((s) => s.trash);
  const rev = useLibrary((s) => s.listRev);
  const [state, setState] = useState<{ items: ItemSummary[]; loading: boolean; error: string | null }>({
    items: [],
    loading: true,
    error: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: rev is the trigger: the library changed, so the list refetches.
  useEffect(() => {
    let live = true;
    // Typing waits for a short pause; filters and changes apply at once.
    const wait = query ? 150 : 0;
    const t = setTimeout(async () => {
      try {
        let items: ItemSummary[];
        if (query.trim()) {
          items = await call('library.search', { query: query.trim(), trash, limit: 500 });
          if (tag) items = items.filter((i) => i.tags.some((x) => x.toLowerCase() === tag.toLowerCase()));
        } else {
          const page = await call('library.list', {
            trash,
            ...(tag ? { tag } : {}),
            sort,
            order: sort === 'name' ? 'asc' : 'desc',
            limit: 1000,
          });
          items = page.items;
        }
        if (live) setState({ items, loading: false, error: null });
      } catch (err) {
        if (live)
          setState({ items: [], loading: false, error: err instanceof Error ? err.message : String(err) });
      }
    }, wait);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [query, tag, sort, trash, rev]);
  return state;
}

function useTags(): { tag: string; count: number }[] {
  const rev = useLibrary((s) => s.listRev);
  const [tags, setTags] = useState<{ tag: string; count: number }[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: rev is the trigger: the library changed, so the tags refetch.
  useEffect(() => {
    let live = true;
    call('library.tags', {})
      .then((t) => live && setTags(t))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [rev]);
  return tags;
}

function RenameField({ item, onDone }: { item: ItemSummary; onDone(): void }) {
  const [value, setValue] = useState(item.name);
  const done = useRef(false);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  const commit = () => {
    if (done.current) return;
    done.current = true;
    if (value.trim() && value.trim() !== item.name) void renameItem(item.id, value);
    onDone();
  };
  return (
    <input
      ref={ref}
      className="input small lib-rename"
      aria-label={`New name for ${item.name}`}
      value={value}
      maxLength={200}
      onChange={(e) => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        } else if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          done.current = true;
          onDone();
        }
      }}
    />
  );
}

function Item({
  item,
  selected,
  open,
  tabbable,
  onSelect,
  onFocus,
}: {
  item: ItemSummary;
  selected: boolean;
  open: boolean;
  /** The list's one tab stop (roving tabindex): the others are reached with the arrow keys. */
  tabbable: boolean;
  onSelect(): void;
  onFocus(): void;
}) {
  const renaming = useLibrary((s) => s.renamingId === item.id);
  const setLib = useLibrary((s) => s.set);
  const detailsId = useId();
  const meta = `${item.protocol} · ${item.nodeCount} ${item.nodeCount === 1 ? 'node' : 'nodes'}`;
  return (
    <li
      className={`lib-item${selected ? ' is-selected' : ''}${open ? ' is-open' : ''}`}
      aria-label={item.name}
    >
      {renaming ? (
        <RenameField item={item} onDone={() => setLib({ renamingId: null })} />
      ) : (
        <button
          type="button"
          className="lib-item-main"
          aria-expanded={selected}
          aria-controls={detailsId}
          tabIndex={tabbable ? 0 : -1}
          onFocus={onFocus}
          onClick={onSelect}
          onDoubleClick={() => !item.trashedAt && void openItem(item.id)}
          onKeyDown={(e) => {
            if (e.key === 'F2' && !item.trashedAt && !item.builtin) {
              e.preventDefault();
              setLib({ renamingId: item.id });
            }
          }}
        >
          <span className="lib-item-name">
            {open && <span className="lib-open-dot" title="Open now" aria-hidden="true" />}
            {item.name}
          </span>
          <span className="lib-item-meta" title={`${topicTitle(item.topic)} · ${meta}`}>
            {item.kind === 'exercise' && <span className="lib-chip is-exercise">exercise</span>}
            {item.builtin && <span className="lib-chip">built-in</span>}
            {item.builtinEdited && (
              <span
                className="lib-chip"
                title="Changed by an earlier DSLab: Restore built-in puts it back as shipped"
              >
                changed
              </span>
            )}
            <span className="lib-item-sub">{meta}</span>
          </span>
        </button>
      )}
      {selected && (
        <div className="lib-item-details" id={detailsId}>
          {item.description && <p className="lib-item-desc">{item.description}</p>}
          {item.tags.length > 0 && (
            <p className="lib-item-tags">
              {item.tags.map((t) => (
                <span key={t} className="lib-tag">
                  {t}
                </span>
              ))}
            </p>
          )}
          <div className="lib-actions">
            {item.trashedAt ? (
              <button type="button" className="btn small" onClick={() => void restoreItem(item.id)}>
                Restore
              </button>
            ) : (
              <>
                <button
                  type="button"
                  className="btn small lib-primary"
                  onClick={() => void openItem(item.id)}
                >
                  Open
                </button>
                <button type="button" className="btn small" onClick={() => void duplicateItem(item.id)}>
                  Duplicate
                </button>
                {/* A built-in keeps its name (it is read-only: docs/library.md); Duplicate gives one to rename. */}
                {!item.builtin && (
                  <button type="button" className="btn small" onClick={() => setLib({ renamingId: item.id })}>
                    Rename
                  </button>
                )}
                <button type="button" className="btn small" onClick={() => void exportToFile([item.id])}>
                  Export
                </button>
                {item.builtinEdited && (
                  <button
                    type="button"
                    className="btn small"
                    title="Put back the version DSLab ships; your changed version is kept as a copy"
                    onClick={() => void restoreBuiltin(item.id)}
                  >
                    Restore built-in
                  </button>
                )}
                <button
                  type="button"
                  className="btn small lib-danger"
                  onClick={() => void trashItem(item.id)}
                >
                  Delete
                </button>
              </>
            )}
          </div>
        </div>
      )}
    </li>
  );
}

export function LibraryPanel() {
  const query = useLibrary((s) => s.query);
  const tag = useLibrary((s) => s.tag);
  const sort = useLibrary((s) => s.sort);
  const trash = useLibrary((s) => s.trash);
  const openId = useLibrary((s) => s.doc?.itemId ?? null);
  const set = useLibrary((s) => s.set);
  const { items, loading, error } = useItems();
  const tags = useTags();
  const [selected, setSelected] = useState<string | null>(null);
  const [focused, setFocused] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const ids = useId();

  // The list is one tab stop (roving tabindex), so Tab goes past it to the canvas instead of
  // through every item: the item last focused, else the selected one, the open one, the first.
  const has = (id: string | null) => id !== null && items.some((i) => i.id === id);
  const tabStop = [focused, selected, openId].find(has) ?? items[0]?.id ?? null;

  // Up/Down move between items, Home/End to the first and last.
  const onListKey = (e: KeyboardEvent) => {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
    if (!(e.target as HTMLElement).classList.contains('lib-item-main')) return;
    const buttons = Array.from(listRef.current?.querySelectorAll<HTMLElement>('.lib-item-main') ?? []);
    const i = buttons.indexOf(document.activeElement as HTMLElement);
    const to =
      e.key === 'Home' ? 0 : e.key === 'End' ? buttons.length - 1 : i + (e.key === 'ArrowDown' ? 1 : -1);
    const next = buttons[to];
    if (next) {
      e.preventDefault();
      next.focus();
    }
  };

  return (
    <div className="lib">
      <div className="lib-top">
        <input
          type="search"
          className="input small lib-search"
          placeholder={trash ? 'Search the trash' : 'Search the library'}
          aria-label={trash ? 'Search the trash' : 'Search the library'}
          value={query}
          onChange={(e) => set({ query: e.target.value })}
        />
        <div className="lib-row">
          <label className="sr-only" htmlFor={`${ids}-tag`}>
            Tag
          </label>
          <select
            id={`${ids}-tag`}
            className="select small"
            value={tag}
            onChange={(e) => set({ tag: e.target.value })}
          >
            <option value="">All tags</option>
            {tags.map((t) => (
              <option key={t.tag} value={t.tag}>
                {t.tag} ({t.count})
              </option>
            ))}
          </select>
          <label className="sr-only" htmlFor={`${ids}-sort`}>
            Sort
          </label>
          <select
            id={`${ids}-sort`}
            className="select small"
            value={sort}
            disabled={query.trim() !== ''}
            title={query.trim() ? 'Search results are ranked by relevance' : undefined}
            onChange={(e) => set({ sort: e.target.value as LibrarySort })}
          >
            {SORTS.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="lib-seg">
          <legend className="sr-only">Show</legend>
          <button
            type="button"
            className="lib-seg-btn"
            aria-pressed={!trash}
            onClick={() => set({ trash: false })}
          >
            Library
          </button>
          <button
            type="button"
            className="lib-seg-btn"
            aria-pressed={trash}
            onClick={() => set({ trash: true })}
          >
            Trash
          </button>
        </fieldset>
      </div>
      {error ? (
        <p className="lib-note is-error" role="alert">
          {error}
        </p>
      ) : items.length === 0 && !loading ? (
        <p className="lib-note">
          {query.trim()
            ? `Nothing matches “${query.trim()}”.`
            : trash
              ? 'The trash is empty.'
              : 'The library is empty. Save a scenario (Ctrl+S) or import a file.'}
        </p>
      ) : (
        <ul
          ref={listRef}
          className="lib-list"
          aria-label={trash ? 'Trash' : 'Library items'}
          aria-busy={loading}
          onKeyDown={onListKey}
        >
          {items.map((item) => (
            <Item
              key={item.id}
              item={item}
              selected={selected === item.id}
              open={openId === item.id}
              tabbable={tabStop === item.id}
              onSelect={() => setSelected((s) => (s === item.id ? null : item.id))}
              onFocus={() => setFocused(item.id)}
            />
          ))}
        </ul>
      )}
      <div className="lib-foot">
        <p className="lib-count" aria-live="polite">
          {loading
            ? 'Loading…'
            : `${items.length} ${items.length === 1 ? 'item' : 'items'}${trash ? ' in the trash' : ''}`}
        </p>
        {trash ? (
          <button
            type="button"
            className="btn small lib-danger"
            disabled={items.length === 0}
            onClick={askEmptyTrash}
          >
            Empty trash
          </button>
        ) : (
          <>
            <button
              type="button"
              className="btn small"
              title="Start from a topic's ready-made scenario, or from an empty canvas"
              onClick={() => set({ welcome: true })}
            >
              New…
            </button>
            <button
              type="button"
              className="btn small"
              title="Import a .dslab.json file (or drop one on the window)"
              onClick={() => void chooseAndImport('button')}
            >
              Import…
            </button>
          </>
        )}
      </div>
    </div>
  );
}
