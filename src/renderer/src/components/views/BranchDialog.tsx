/**
 * The toolbar's "Branch…" action and its dialog: pick one change (a fault the canvas offers, a
 * parameter value, or one of the protocol's bug switches) and fork the run at the current
 * event with it (sim.fork). The Compare tab then shows both futures.
 */
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { createPortal } from 'react-dom';
import type { SimChange } from '../../../../shared/api';
import type { FaultInput } from '../../../../shared/scenario/schema';
import { openBranch, watchMainRun } from '../../app/compare';
import { DEGRADE_LOSS, SKEW_US } from '../../app/faults';
import { formatEvent, formatTime } from '../../run/format';
import { useCompare } from '../../stores/compare-store';
import { useGraph } from '../../stores/graph-store';
import { useRun } from '../../stores/run-store';
import { selectProtocol, useSession } from '../../stores/session-store';
import { useUi } from '../../stores/ui-store';
import { Modal } from '../Modal';

type Kind = 'fault' | 'param' | 'bug';

/** One fault the dialog offers: the canvas's node and link faults, by name. */
export interface FaultChoice {
  label: string;
  fault: FaultInput;
}

/** The canvas's faults for the nodes and links on it now, those that make sense at this event. */
function useFaultChoices(): FaultChoice[] {
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const simNodes = useRun((s) => s.nodes);
  return useMemo(() => {
    const out: FaultChoice[] = [];
    const names = new Map(nodes.map((n) => [n.id, n.data.name]));
    const servers = nodes.filter((n) => n.data.role !== 'switch');
    for (const n of servers) {
      const sim = simNodes[n.id];
      const up = sim ? sim.up : true;
      const name = n.data.name;
      if (up) out.push({ label: `Crash ${name}`, fault: { kind: 'crash', node: n.id } });
      else out.push({ label: `Restart ${name}`, fault: { kind: 'restart', node: n.id } });
      if (up && !sim?.paused) out.push({ label: `Pause ${name}`, fault: { kind: 'pause', node: n.id } });
      if (sim?.paused) out.push({ label: `Resume ${name}`, fault: { kind: 'resume', node: n.id } });
      out.push({
        label: `Skew clock of ${name} +10 ms`,
        fault: { kind: 'clock-step', node: n.id, deltaUs: SKEW_US },
      });
      const rest = nodes.filter((m) => m.id !== n.id).map((m) => m.id);
      if (rest.length > 0)
        out.push({ label: `Isolate ${name}`, fault: { kind: 'partition', groups: [[n.id], rest] } });
    }
    for (const e of edges) {
      const ab = `${names.get(e.source) ?? e.source}–${names.get(e.target) ?? e.target}`;
      out.push({ label: `Cut link ${ab}`, fault: { kind: 'cut-link', link: e.id, direction: 'both' } });
      out.push({
        label: `Degrade link ${ab}: loss ${DEGRADE_LOSS * 100}%`,
        fault: { kind: 'degrade-link', link: e.id, lossRate: DEGRADE_LOSS },
      });
    }
    out.push({ label: 'Heal all partitions and links', fault: { kind: 'heal' } });
    return out;
  }, [nodes, edges, simNodes]);
}

/** A value typed into the parameter field, as the param's type; null when it does not parse. */
export function parseParamValue(current: unknown, text: string): unknown {
  if (typeof current === 'number') {
    const v = Number(text);
    return text.trim() !== '' && Number.isFinite(v) ? v : null;
  }
  if (typeof current === 'boolean') return text === 'true' ? true : text === 'false' ? false : null;
  return text;
}

function BranchForm({ onDone }: { onDone(): void }) {
  const protocol = useSession(selectProtocol);
  const params = useGraph((s) => s.base?.params ?? {}) as Record<string, unknown>;
  const event = useRun((s) => s.status?.eventIndex ?? 0);
  const nowUs = useRun((s) => s.status?.nowUs ?? 0);
  const faults = useFaultChoices();
  const bugs = protocol?.bugs ?? [];
  const bugIds = new Set(bugs.map((b) => b.param));
  const tunable = Object.entries(params).filter(
    ([k, v]) => !bugIds.has(k) && (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string'),
  );
  const [kind, setKind] = useState<Kind>('fault');
  const [faultIdx, setFaultIdx] = useState(0);
  const [param, setParam] = useState(tunable[0]?.[0] ?? '');
  const [value, setValue] = useState(() => String(tunable[0]?.[1] ?? ''));
  const [bug, setBug] = useState(bugs[0]?.param ?? '');
  const [busy, setBusy] = useState(false);
  const id = useId();

  const current = params[param];
  const parsed = parseParamValue(current, value);
  const valueOk = parsed !== null && parsed !== current;

  let change: SimChange | null = null;
  let label = '';
  if (kind === 'fault') {
    const f = faults[faultIdx];
    if (f) {
      change = { kind: 'fault', fault: f.fault as never };
      label = f.label;
    }
  } else if (kind === 'param') {
    if (param && valueOk) {
      change = { kind: 'params', params: { [param]: parsed } };
      label = `${param} = ${String(parsed)}`;
    }
  } else if (bug) {
    const on = params[bug] !== true;
    change = { kind: 'params', params: { [bug]: on } };
    label = `${bugs.find((b) => b.param === bug)?.title ?? bug}: ${on ? 'on' : 'off'}`;
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!change || busy) return;
    setBusy(true);
    const ok = await openBranch(change, label);
    setBusy(false);
    if (ok) onDone();
  };

  const kinds: { id: Kind; label: string; disabled: boolean }[] = [
    { id: 'fault', label: 'A fault', disabled: faults.length === 0 },
    { id: 'param', label: 'A parameter', disabled: tunable.length === 0 },
    { id: 'bug', label: 'A bug switch', disabled: bugs.length === 0 },
  ];

  return (
    <form className="cmp-form" onSubmit={(e) => void submit(e)}>
      <p className="cmp-lede">
        A second run that shares this one’s past up to {formatEvent(event)} ({formatTime(nowUs)}) and has one
        change made there. Both then run on side by side in the Compare tab.
      </p>
      <fieldset className="cmp-kinds">
        <legend className="field-label">Change</legend>
        {kinds.map((k) => (
          <label key={k.id} className="cmp-radio">
            <input
              type="radio"
              name={`${id}-kind`}
              value={k.id}
              checked={kind === k.id}
              disabled={k.disabled}
              onChange={() => setKind(k.id)}
            />
            {k.label}
          </label>
        ))}
      </fieldset>
      {kind === 'fault' && (
        <label className="field">
          <span className="field-label">Fault</span>
          <select className="select" value={faultIdx} onChange={(e) => setFaultIdx(Number(e.target.value))}>
            {faults.map((f, i) => (
              <option key={f.label} value={i}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {kind === 'param' && (
        <div className="cmp-param">
          <label className="field">
            <span className="field-label">Parameter</span>
            <select
              className="select"
              value={param}
              onChange={(e) => {
                setParam(e.target.value);
                setValue(String(params[e.target.value] ?? ''));
              }}
            >
              {tunable.map(([k]) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <label className="field" htmlFor={`${id}-value`}>
            <span className="field-label">New value (now {String(current)})</span>
            {typeof current === 'boolean' ? (
              <select
                id={`${id}-value`}
                className="select"
                value={value}
                onChange={(e) => setValue(e.target.value)}
              >
                <option value="true">true</option>
                <option value="false">false</option>
              </select>
            ) : (
              <input
                id={`${id}-value`}
                className="input"
                type={typeof current === 'number' ? 'number' : 'text'}
                value={value}
                aria-invalid={parsed === null}
                onChange={(e) => setValue(e.target.value)}
              />
            )}
          </label>
        </div>
      )}
      {kind === 'bug' && (
        <label className="field">
          <span className="field-label">Bug switch (turned {params[bug] === true ? 'off' : 'on'})</span>
          <select className="select" value={bug} onChange={(e) => setBug(e.target.value)}>
            {bugs.map((b) => (
              <option key={b.param} value={b.param}>
                {b.title}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="lib-dialog-buttons">
        <button type="submit" className="btn lib-primary" disabled={!change || busy}>
          Branch here
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The toolbar button and the dialog it opens; enabled once a run exists. */
/**
 * The Branch… button and its dialog (ui store `dialog: 'branch'`, so the toolbar's More menu can
 * open it too). Mounted even while the toolbar has folded the button into that menu
 * (`inline` false): it keeps the branch following the main run.
 */
export function BranchButton({ inline = true }: { inline?: boolean }) {
  const open = useUi((s) => s.dialog === 'branch');
  const openDialog = useUi((s) => s.openDialog);
  const closeDialog = useUi((s) => s.closeDialog);
  const hasRun = useRun((s) => s.simId !== null && s.status !== null);
  const hasBranch = useCompare((s) => s.branch !== null);
  // The branch goes with the main run: closed when that is reset or replaced.
  useEffect(() => watchMainRun(), []);
  return (
    <>
      {inline && (
        <button
          type="button"
          className={`btn small tb-branch${hasBranch ? ' is-on' : ''}`}
          aria-label="Branch"
          title="Branch: fork the run here with a change and compare both futures"
          disabled={!hasRun}
          onClick={() => openDialog('branch')}
        >
          Branch…
        </button>
      )}
      {/* In the body, not inside the toolbar's run group (its styles and its name stay out). */}
      {open &&
        createPortal(
          <Modal label="Branch the run" onClose={closeDialog}>
            <BranchForm onDone={closeDialog} />
          </Modal>,
          document.body,
        )}
    </>
  );
}
