/**
 * The scenario's fault script in the inspector: the scripted faults in time order, each with
 * Remove, and the faults injected live in this run, each with "Add to script" (at the virtual
 * time it happened) and "Add all". Adding live faults keeps the run (it already has them);
 * removing one resets the run like any other scenario edit (app/run.ts).
 */
import { useMemo } from 'react';
import { addLiveFaultsToScript } from '../../app/run';
import { byTime, describeFault, inScript, type Names, type ScriptEntry } from '../../graph/fault-script';
import { formatTime } from '../../run/format';
import { isLocked, LOCKED, useGraph } from '../../stores/graph-store';
import { useRun } from '../../stores/run-store';
import { Section } from './fields';

/** Display names from the canvas (ids of parts no longer on it are shown as they are). */
function useNames(): Names {
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  return useMemo(() => {
    const node = new Map(nodes.map((n) => [n.id, n.data.name]));
    const nameOf = (id: string) => node.get(id) ?? id;
    const link = new Map(edges.map((e) => [e.id, { a: nameOf(e.source), b: nameOf(e.target) }]));
    return {
      node: nameOf,
      link: (id) => {
        const l = link.get(id);
        return l ? { text: `${l.a} – ${l.b}`, a: l.a, b: l.b } : { text: id, a: id, b: id };
      },
    };
  }, [nodes, edges]);
}

export function FaultScriptForm() {
  const script = useGraph((s) => s.base?.faults);
  const locked = useGraph((s) => isLocked(s.locks, 'faults'));
  const removeScriptFault = useGraph((s) => s.removeScriptFault);
  const injections = useRun((s) => s.injections);
  const names = useNames();
  if (!script) return null;
  const live: ScriptEntry[] = injections.map((x) => ({ atUs: x.atUs, fault: x.fault }));
  const missing = live.filter((e) => !inScript(script, e));
  const line = (e: ScriptEntry) => `${describeFault(e.fault, names)} at ${formatTime(e.atUs)}`;
  return (
    // Always open: it is two short lines when empty, and a Remove must not fold it away.
    <Section
      title="Fault script"
      note="Faults that happen at a set virtual time in every run. Add the ones you injected in this run to replay them."
    >
      {script.length === 0 ? (
        <p className="fscript-empty ff-wide">No scripted faults.</p>
      ) : (
        <ol className="fscript-list ff-wide" aria-label="Scripted faults">
          {byTime(script).map(({ entry, index }) => (
            <li key={`${index}:${entry.atUs}`} className="fscript-row">
              <span className="fscript-time">{formatTime(entry.atUs)}</span>
              <span className="fscript-text">{describeFault(entry.fault, names)}</span>
              <button
                type="button"
                className="btn small"
                aria-label={`Remove: ${line(entry)}`}
                disabled={locked}
                title={locked ? LOCKED : 'Remove from the script (resets the run)'}
                onClick={() => removeScriptFault(index)}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
      )}
      <h4 className="fscript-heading ff-wide" id="fscript-live">
        Injected in this run
      </h4>
      {live.length === 0 ? (
        <p className="fscript-empty ff-wide">None yet: right-click a node or link during a run.</p>
      ) : (
        <>
          <ul className="fscript-list ff-wide" aria-labelledby="fscript-live">
            {live.map((e, i) => {
              const added = inScript(script, e);
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: the log only grows at its end (a new fault after a step back replaces the tail).
                <li key={i} className="fscript-row">
                  <span className="fscript-time">{formatTime(e.atUs)}</span>
                  <span className="fscript-text">{describeFault(e.fault, names)}</span>
                  {added ? (
                    <span className="fscript-added">In the script</span>
                  ) : (
                    <button
                      type="button"
                      className="btn small"
                      aria-label={`Add to script: ${line(e)}`}
                      disabled={locked}
                      title={locked ? LOCKED : 'Add to the script at the time it happened (the run is kept)'}
                      onClick={() => addLiveFaultsToScript([e])}
                    >
                      Add to script
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
          <div className="ff-wide fscript-actions">
            <button
              type="button"
              className="btn small"
              disabled={locked || missing.length === 0}
              title={locked ? LOCKED : undefined}
              onClick={() => addLiveFaultsToScript(missing)}
            >
              Add all
            </button>
          </div>
        </>
      )}
    </Section>
  );
}
