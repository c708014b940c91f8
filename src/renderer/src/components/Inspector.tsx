/** The right panel: the selected node or link, or the scenario when nothing is selected. */
import { type ReactNode, useEffect, useId, useState } from 'react';
import { healAll, isolate } from '../app/faults';
import { useRoles } from '../app/use-roles';
import type { AddedNode } from '../graph/membership';
import { roleLabel, roleTone } from '../graph/roles';
import { nameProblem, roleCounts } from '../graph/topology';
import type { LabFlowEdge, LabFlowNode, PaletteRole } from '../graph/types';
import { formatDuration, formatSignedDuration } from '../run/format';
import { useGraph } from '../stores/graph-store';
import { useMembership, useRun } from '../stores/run-store';
import { useSelection } from '../stores/selection-store';
import { selectProtocol, useSession } from '../stores/session-store';
import { FaultScriptForm } from './forms/FaultScript';
import { NemesisForm, ParamsForm, RunSettingsForm, WorkloadForm } from './forms/ScenarioForms';
import { LinkForm, NodeClockForm } from './forms/TopologyForms';
import { JsonTree } from './JsonTree';

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="kv-row">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function NodeInspector({ node, roles }: { node: LabFlowNode; roles: PaletteRole[] }) {
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const rename = useGraph((s) => s.rename);
  const setRole = useGraph((s) => s.setRole);
  const [draft, setDraft] = useState(node.data.name);
  const nameId = useId();
  const roleId = useId();
  const errorId = useId();
  // Follow renames made elsewhere (on the canvas) and selection changes.
  useEffect(() => setDraft(node.data.name), [node.data.name]);
  const problem = draft === node.data.name ? null : nameProblem(nodes, node.id, draft);
  const onName = (value: string) => {
    setDraft(value);
    if (!nameProblem(nodes, node.id, value)) rename(node.id, value);
  };
  const known = roles.some((r) => r.id === node.data.role);
  const linked = edges.filter((e) => e.source === node.id || e.target === node.id);
  const names = new Map(nodes.map((n) => [n.id, n.data.name]));
  return (
    <>
      <div className="insp-head">
        <span className="role-dot" data-tone={roleTone(node.data.role, roles)} aria-hidden="true" />
        <h2 className="insp-title">{node.data.name}</h2>
        <span className="insp-kind">Node</span>
      </div>
      <div className="form">
        <label className="field" htmlFor={nameId}>
          <span className="field-label">Name</span>
          <input
            id={nameId}
            className="input"
            value={draft}
            spellCheck={false}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? errorId : undefined}
            onChange={(e) => onName(e.target.value)}
            onBlur={() => setDraft(node.data.name)}
            onKeyDown={(e) => e.key === 'Escape' && setDraft(node.data.name)}
          />
        </label>
        {problem && (
          <p className="field-error" id={errorId} role="alert">
            {problem}
          </p>
        )}
        <label className="field" htmlFor={roleId}>
          <span className="field-label">Role</span>
          <select
            id={roleId}
            className="select"
            value={node.data.role}
            onChange={(e) => setRole(node.id, e.target.value)}
          >
            {!known && <option value={node.data.role}>{node.data.role} (not in this protocol)</option>}
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <NodeClockForm node={node} />
      <dl className="kv">
        <Row term="Id">
          <code>{node.id}</code>
        </Row>
        <Row term="Position">
          <span className="num">
            {Math.round(node.position.x)}, {Math.round(node.position.y)}
          </span>
        </Row>
        <Row term="Links">
          {linked.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            linked
              .map((e) => names.get(e.source === node.id ? e.target : e.source))
              .filter(Boolean)
              .join(', ')
          )}
        </Row>
      </dl>
      <NodeRunState id={node.id} />
    </>
  );
}

/** A node the run added (an add-node fault): not part of the topology, so only its run state. */
function RunAddedInspector({ node, roles }: { node: AddedNode; roles: PaletteRole[] }) {
  return (
    <>
      <div className="insp-head">
        <span className="role-dot" data-tone={roleTone(node.role, roles)} aria-hidden="true" />
        <h2 className="insp-title">{node.name}</h2>
        <span className="insp-kind">Node</span>
      </div>
      <dl className="kv">
        <Row term="Role">{roleLabel(node.role, roles)}</Row>
      </dl>
      <p className="insp-note">
        Added by the run (an add-node fault in the script): it is drawn while the run has it, and is not part
        of the topology you edit.
      </p>
      <NodeRunState id={node.id} />
    </>
  );
}

/** The node during a run: up/crashed/paused, clock, timers and the protocol state tree. */
function NodeRunState({ id }: { id: string }) {
  const sim = useRun((s) => s.nodes[id]);
  const prev = useRun((s) => s.prevNodes[id]);
  const event = useRun((s) => s.status?.eventIndex ?? 0);
  if (!sim) {
    return (
      <p className="insp-note">
        Press Play or Step: the node's state, timers and clock show here during a run.
      </p>
    );
  }
  const status = sim.removed ? 'removed' : !sim.up ? 'crashed' : sim.paused ? 'paused' : 'up';
  return (
    <>
      <h3 className="panel-heading">At event {event}</h3>
      <dl className="kv">
        <Row term="Status">
          <span className={`run-status is-${status}`}>{status}</span>
        </Row>
        <Row term="Badge">
          <span className="node-badge" data-tone-run={sim.badge.tone}>
            {sim.badge.text}
          </span>
        </Row>
        <Row term="Local clock">
          <span className="num">{formatDuration(sim.localTimeUs)}</span>
        </Row>
        <Row term="Clock error">
          <span className={`num${sim.clockErrorUs !== 0 ? ' warn-text' : ''}`}>
            {formatSignedDuration(sim.clockErrorUs)}
          </span>
        </Row>
        <Row term="Timers">
          {sim.timers.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <code>{sim.timers.join(', ')}</code>
          )}
        </Row>
      </dl>
      <h3 className="panel-heading">State</h3>
      <JsonTree value={sim.state} prev={prev?.state} />
    </>
  );
}

function LinkInspector({ edge, roles }: { edge: LabFlowEdge; roles: PaletteRole[] }) {
  const nodes = useGraph((s) => s.nodes);
  const end = (id: string) => nodes.find((n) => n.id === id);
  const a = end(edge.source);
  const b = end(edge.target);
  const endRow = (n: LabFlowNode | undefined, id: string) =>
    n ? (
      <span className="end">
        <span className="role-dot" data-tone={roleTone(n.data.role, roles)} aria-hidden="true" />
        {n.data.name} <span className="muted">· {roleLabel(n.data.role, roles)}</span>
      </span>
    ) : (
      <code>{id}</code>
    );
  return (
    <>
      <div className="insp-head">
        <h2 className="insp-title">
          {a?.data.name ?? edge.source} – {b?.data.name ?? edge.target}
        </h2>
        <span className="insp-kind">Link</span>
      </div>
      <dl className="kv">
        <Row term="End A">{endRow(a, edge.source)}</Row>
        <Row term="End B">{endRow(b, edge.target)}</Row>
        <Row term="Id">
          <code>{edge.id}</code>
        </Row>
      </dl>
      <LinkForm edge={edge} />
      <p className="insp-note">Right-click the link (or press Shift+F10 on it) to cut, degrade or heal it.</p>
    </>
  );
}

function ScenarioInspector({ roles }: { roles: PaletteRole[] }) {
  const protocol = useSession(selectProtocol);
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const counts = roleCounts(nodes);
  if (!protocol) return <p className="muted pad">Loading the catalog…</p>;
  return (
    <>
      <div className="insp-head">
        <h2 className="insp-title">{protocol.title}</h2>
        <span className="insp-kind">Scenario</span>
      </div>
      <p className="insp-topic">{protocol.topicTitle}</p>
      <p className="insp-summary">{protocol.summary}</p>
      <dl className="kv">
        <Row term="Nodes">
          <span className="num">{nodes.length}</span>
        </Row>
        <Row term="Links">
          <span className="num">{edges.length}</span>
        </Row>
      </dl>
      <h3 className="panel-heading">Roles</h3>
      <ul className="role-table">
        {roles.map((r) => {
          const n = counts.get(r.id) ?? 0;
          const short = n < r.min;
          const over = r.max !== null && n > r.max;
          return (
            <li key={r.id} className={short || over ? 'is-warn' : undefined}>
              <span className="role-dot" data-tone={roleTone(r.id, roles)} aria-hidden="true" />
              <span className="role-name">{r.label}</span>
              <span className="num">{n}</span>
              {short && <span className="warn-text">needs at least {r.min}</span>}
              {over && <span className="warn-text">at most {r.max}</span>}
            </li>
          );
        })}
      </ul>
      {(protocol.invariants?.length ?? 0) > 0 && (
        <>
          <h3 className="panel-heading">Checked as it runs</h3>
          <ul className="plain-list">
            {protocol.invariants.map((i) => (
              <li key={i.id}>{i.title}</li>
            ))}
          </ul>
        </>
      )}
      {(protocol.liveness?.length ?? 0) > 0 && (
        <>
          <h3 className="panel-heading">Checked once the faults stop</h3>
          <ul className="plain-list">
            {protocol.liveness.map((l) => (
              <li key={l.id}>{l.title}</li>
            ))}
          </ul>
        </>
      )}
      {(protocol.runChecks?.length ?? 0) > 0 && (
        <>
          <h3 className="panel-heading">Checked over the whole run</h3>
          <ul className="plain-list">
            {protocol.runChecks.map((c) => (
              <li key={c.id}>{c.title}</li>
            ))}
          </ul>
        </>
      )}
      <ParamsForm protocol={protocol} />
      <WorkloadForm />
      <NemesisForm />
      <FaultScriptForm />
      <RunSettingsForm />
      <p className="insp-note">Select a node or link to edit it.</p>
    </>
  );
}

export function Inspector() {
  const roles = useRoles();
  const nodeIds = useSelection((s) => s.nodeIds);
  const edgeIds = useSelection((s) => s.edgeIds);
  const node = useGraph((s) => (nodeIds.length === 1 ? s.nodes.find((n) => n.id === nodeIds[0]) : undefined));
  const edge = useGraph((s) =>
    edgeIds.length === 1 && nodeIds.length === 0 ? s.edges.find((e) => e.id === edgeIds[0]) : undefined,
  );
  const runAdded = useMembership((s) =>
    nodeIds.length === 1 && !node ? s.added.find((n) => n.id === nodeIds[0]) : undefined,
  );
  const many = nodeIds.length + edgeIds.length > 1 && !node;
  let body: ReactNode;
  if (node) body = <NodeInspector key={node.id} node={node} roles={roles} />;
  else if (runAdded && edgeIds.length === 0) body = <RunAddedInspector node={runAdded} roles={roles} />;
  else if (edge) body = <LinkInspector key={edge.id} edge={edge} roles={roles} />;
  else if (many)
    body = (
      <>
        <div className="insp-head">
          <h2 className="insp-title">
            {nodeIds.length} nodes, {edgeIds.length} links
          </h2>
          <span className="insp-kind">Selection</span>
        </div>
        {nodeIds.length > 0 && (
          <div className="btn-stack">
            <button type="button" className="btn" onClick={() => isolate(nodeIds)}>
              Isolate selection
            </button>
            <button type="button" className="btn" onClick={healAll}>
              Heal all partitions
            </button>
          </div>
        )}
        <p className="insp-note">
          Isolate partitions the selected nodes from the rest of the cluster. Press Delete to remove them,
          Ctrl+C and Ctrl+V to copy them, or select one to edit it.
        </p>
      </>
    );
  else body = <ScenarioInspector roles={roles} />;
  return (
    <aside className="side inspector" aria-label="Inspector">
      <div className="side-title">Inspector</div>
      <div className="side-body">{body}</div>
    </aside>
  );
}
