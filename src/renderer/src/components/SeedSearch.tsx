/**
 * The Checkers tab's seed search: what `dslab check --seeds a..b` does, from the app. A range,
 * Search, a progress bar with Cancel while it runs, and what it found; the first failing seed
 * opens at its event (app/search.ts).
 */
import { useId, useState } from 'react';
import { cancelSearch, SEARCH_DEFAULT, startSearch } from '../app/search';
import { formatCount } from '../run/format';
import { useGraph } from '../stores/graph-store';
import { useSearch } from '../stores/search-store';

function clampSeed(text: string, fallback: number): number {
  const n = Math.trunc(Number(text));
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 0xffff_ffff) : fallback;
}

export function SeedSearch() {
  const status = useSearch((s) => s.status);
  const ready = useGraph((s) => s.base !== null);
  const [from, setFrom] = useState(String(SEARCH_DEFAULT.from));
  const [to, setTo] = useState(String(SEARCH_DEFAULT.to));
  const ids = { from: useId(), to: useId() };
  const running = status?.state === 'running';
  const a = clampSeed(from, SEARCH_DEFAULT.from);
  const b = clampSeed(to, SEARCH_DEFAULT.to);
  const total = status ? status.to - status.from + 1 : 0;
  let result = '';
  if (status?.state === 'found' && status.found)
    result = `Seed ${status.found.seed} fails ${status.found.invariant} at event ${formatCount(status.found.eventIndex)}: opened there.`;
  else if (status?.state === 'none') result = `Every seed of ${status.from}–${status.to} passes every check.`;
  else if (status?.state === 'cancelled')
    result = `Cancelled after ${formatCount(status.done)} of ${formatCount(total)} seeds: none failed.`;
  else if (status?.state === 'error') result = `A run failed: ${status.error ?? ''}`;
  return (
    <section className="seed-search" aria-label="Seed search">
      <form
        className="seed-search-form"
        onSubmit={(e) => {
          e.preventDefault();
          void startSearch(Math.min(a, b), Math.max(a, b));
        }}
      >
        <span className="seed-search-title">Search seeds for a failing check</span>
        <label className="tb-field" htmlFor={ids.from}>
          <span className="tb-label">From</span>
          <input
            id={ids.from}
            className="input seed-input"
            inputMode="numeric"
            value={from}
            disabled={running}
            onChange={(e) => setFrom(e.target.value)}
          />
        </label>
        <label className="tb-field" htmlFor={ids.to}>
          <span className="tb-label">to</span>
          <input
            id={ids.to}
            className="input seed-input"
            inputMode="numeric"
            value={to}
            disabled={running}
            onChange={(e) => setTo(e.target.value)}
          />
        </label>
        {running ? (
          <button type="button" className="btn small" onClick={() => void cancelSearch()}>
            Cancel
          </button>
        ) : (
          <button type="submit" className="btn small" disabled={!ready}>
            Search
          </button>
        )}
      </form>
      {running && status && (
        <div className="seed-search-progress">
          <progress aria-label="Seeds searched" value={status.done} max={total} />
          <span className="num">
            seed {formatCount(status.seed)} · {formatCount(status.done)} of {formatCount(total)} done
          </span>
        </div>
      )}
      <p className="seed-search-result" role="status">
        {result}
      </p>
    </section>
  );
}
