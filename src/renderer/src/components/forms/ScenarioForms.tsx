/**
 * The scenario's forms (inspector with nothing selected): protocol params generated from the
 * catalog's JSON Schema, bug switches, workload, nemesis, seed and limits. Workload, nemesis,
 * limits and seed are checked with the zod schemas of src/shared/scenario/schema.ts; params
 * against their JSON Schema (graph/param-schema.ts). A change resets a run that exists (the
 * run follower in app/run.ts sees the document change and says so in a toast).
 */
import { useId, useMemo, useState } from 'react';
import type { ProtocolInfo } from '../../../../shared/api';
import {
  LimitsSchema,
  NemesisSchema,
  ScenarioSchema,
  type Workload,
  WorkloadSchema,
} from '../../../../shared/scenario/schema';
import { fieldError } from '../../graph/form-values';
import { type ParamField, paramFields, paramText, parseParam } from '../../graph/param-schema';
import { parseScript, scriptText } from '../../graph/workload-script';
import { useGraph } from '../../stores/graph-store';
import { usePlayback } from '../../stores/playback-store';
import { CheckField, NumberField, Section, SelectField, TextField } from './fields';
import { type NumSpec, ObjectFields } from './object-fields';

const MS = { unit: 'ms', scale: 1000, int: true } as const;
const PCT = { unit: '%', scale: 0.01 } as const;

function ParamInput({
  f,
  schema,
  value,
}: {
  f: ParamField;
  schema: Record<string, unknown>;
  value: unknown;
}) {
  const setParam = useGraph((s) => s.setParam);
  if (f.kind === 'boolean')
    return (
      <CheckField
        label={f.label}
        checked={value === true}
        bug={f.bug}
        hint={f.bugTitle ?? f.note}
        onChange={(v) => setParam(f.key, v)}
      />
    );
  if (f.kind === 'enum')
    return (
      <SelectField
        label={f.label}
        value={String(value ?? '')}
        options={(f.options ?? []).map((o) => ({ id: o, label: o }))}
        onChange={(v) => setParam(f.key, v)}
      />
    );
  const range =
    f.kind === 'number' && (f.min !== undefined || f.max !== undefined)
      ? `${f.min ?? '−∞'} … ${f.max ?? '∞'}${f.unit ? ` ${f.unit}` : ''}`
      : undefined;
  return (
    <TextField
      label={f.label}
      unit={f.unit || undefined}
      numeric={f.kind === 'number'}
      wide={f.kind === 'list' || f.kind === 'json'}
      hint={range ? `${f.key}: ${range}` : f.kind === 'list' ? `${f.key}: comma-separated` : f.key}
      note={f.note}
      text={paramText(f, value)}
      commit={(t) => {
        const r = parseParam(schema, f, t);
        if ('error' in r) return r.error;
        setParam(f.key, r.value);
        return null;
      }}
    />
  );
}

/** Protocol params and bug switches. */
export function ParamsForm({ protocol }: { protocol: ProtocolInfo }) {
  const params = useGraph((s) => s.base?.params);
  const fields = useMemo(
    () => paramFields(protocol.paramsJsonSchema, protocol.bugs ?? []),
    [protocol.paramsJsonSchema, protocol.bugs],
  );
  const value = (f: ParamField) => params?.[f.key] ?? protocol.defaults[f.key];
  const plain = fields.filter((f) => !f.bug);
  const bugs = fields.filter((f) => f.bug);
  return (
    <>
      {plain.length > 0 && (
        <Section title="Parameters">
          {plain.map((f) => (
            <ParamInput key={f.key} f={f} schema={protocol.paramsJsonSchema} value={value(f)} />
          ))}
        </Section>
      )}
      {bugs.length > 0 && (
        <Section
          title="Bug switches"
          note="Known-wrong variants. Turn one on, then Play: the checkers should catch it."
        >
          {bugs.map((f) => (
            <ParamInput key={f.key} f={f} schema={protocol.paramsJsonSchema} value={value(f)} />
          ))}
        </Section>
      )}
    </>
  );
}

const WORKLOAD_KINDS = [
  { id: 'none', label: 'None' },
  { id: 'open', label: 'Open loop (arrival rate)' },
  { id: 'closed', label: 'Closed loop (per client)' },
  { id: 'script', label: 'Script (these operations)' },
];

const KEY_DISTRIBUTIONS = [
  { id: 'uniform', label: 'Uniform' },
  { id: 'zipf', label: 'Zipf (hot keys)' },
  { id: 'sequential', label: 'Sequential' },
];

const OPEN_SPECS: NumSpec[] = [
  { path: ['ratePerS'], label: 'Rate', unit: 'ops/s', hint: 'Poisson arrivals per second of virtual time' },
  { path: ['readFraction'], label: 'Reads', ...PCT },
  { path: ['startUs'], label: 'Start', ...MS },
  { path: ['stopUs'], label: 'Stop', ...MS, optional: true, hint: 'Empty: until the run ends' },
];
const CLOSED_SPECS: NumSpec[] = [
  {
    path: ['concurrency'],
    label: 'Concurrency',
    unit: 'ops',
    int: true,
    hint: 'Operations outstanding per client',
  },
  { path: ['thinkTimeUs'], label: 'Think time', ...MS },
  { path: ['readFraction'], label: 'Reads', ...PCT },
  { path: ['timeoutUs'], label: 'Timeout', ...MS },
  { path: ['startUs'], label: 'Start', ...MS },
  { path: ['stopUs'], label: 'Stop', ...MS, optional: true, hint: 'Empty: until the run ends' },
];

const SCRIPT_SPECS: NumSpec[] = [{ path: ['timeoutUs'], label: 'Timeout', ...MS }];

/**
 * A workload of another kind, keeping what the two kinds share. A new script starts as a write
 * and a read of one key by `client` (the first client node), for the person to edit.
 */
export function workloadOfKind(kind: Workload['kind'], from: Workload, client = 'n1'): Workload {
  if (kind === 'none') return { kind: 'none' };
  if (kind === 'script')
    return WorkloadSchema.parse({
      kind,
      ops: [
        { atUs: 0, client, op: 'write', key: 'key-0' },
        { atUs: 100_000, client, op: 'read', key: 'key-0' },
      ],
    });
  const shared =
    from.kind === 'none' || from.kind === 'script'
      ? {}
      : { readFraction: from.readFraction, keys: from.keys };
  return WorkloadSchema.parse(kind === 'open' ? { kind, ratePerS: 10, ...shared } : { kind, ...shared });
}

/** The script's operations as text, one per line; a change is applied once it reads and validates. */
function ScriptField({
  workload,
  apply,
}: {
  workload: Extract<Workload, { kind: 'script' }>;
  apply: (w: Workload, key: string) => void;
}) {
  const base = useGraph((s) => s.base);
  const id = useId();
  const errorId = useId();
  const noteId = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!base) return null;
  const commit = (text: string): string | null => {
    const r = parseScript(text, new Set(base.topology.nodes.map((n) => n.id)));
    if (!r.ok) return r.error;
    const next = { ...workload, ops: r.ops };
    const checked = ScenarioSchema.safeParse({ ...base, workload: next });
    if (!checked.success) {
      const issue = checked.error.issues.find((i) => i.path[0] === 'workload') ?? checked.error.issues[0];
      return issue?.message ?? 'not a valid script';
    }
    apply(next, 'ops');
    return null;
  };
  return (
    <div className={`ff ff-wide${error ? ' has-error' : ''}`}>
      <label className="ff-label" htmlFor={id}>
        Operations
      </label>
      <div className="ff-control">
        <textarea
          id={id}
          className="input script-input"
          rows={Math.min(12, Math.max(3, workload.ops.length + 1))}
          spellCheck={false}
          value={draft ?? scriptText(workload.ops)}
          aria-invalid={error ? true : undefined}
          aria-describedby={[noteId, error ? errorId : ''].filter(Boolean).join(' ')}
          onChange={(e) => {
            setDraft(e.target.value);
            setError(commit(e.target.value));
          }}
          onBlur={() => {
            setDraft(null);
            setError(null);
          }}
        />
      </div>
      <p className="ff-note" id={noteId}>
        One per line: <code>ms client read key</code> or <code>ms client write key [value]</code>; # starts a
        comment.
      </p>
      {error && (
        <p className="ff-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Client operations. */
export function WorkloadForm() {
  const workload = useGraph((s) => s.base?.workload);
  const base = useGraph((s) => s.base);
  const patchBase = useGraph((s) => s.patchBase);
  if (!workload) return null;
  const apply = (next: Workload, key: string) => patchBase({ workload: next }, `workload:${key}`);
  const keys = workload.kind === 'none' || workload.kind === 'script' ? null : workload.keys;
  const nodes = base?.topology.nodes ?? [];
  const firstClient = (nodes.find((n) => n.role === 'client') ?? nodes[0])?.id;
  return (
    <Section title="Workload">
      <SelectField
        label="Kind"
        wide
        value={workload.kind}
        options={WORKLOAD_KINDS}
        onChange={(k) => apply(workloadOfKind(k as Workload['kind'], workload, firstClient), 'kind')}
      />
      {workload.kind === 'script' && (
        <>
          <ScriptField workload={workload} apply={apply} />
          <ObjectFields schema={WorkloadSchema} value={workload} specs={SCRIPT_SPECS} apply={apply} />
        </>
      )}
      {(workload.kind === 'open' || workload.kind === 'closed') && (
        <ObjectFields
          schema={WorkloadSchema}
          value={workload}
          specs={workload.kind === 'open' ? OPEN_SPECS : CLOSED_SPECS}
          apply={apply}
        />
      )}
      {keys && 'count' in keys && (
        <>
          <ObjectFields
            schema={WorkloadSchema}
            value={workload}
            specs={[{ path: ['keys', 'count'], label: 'Keys', unit: 'keys', int: true }]}
            apply={apply}
          />
          <SelectField
            label="Key choice"
            value={keys.distribution}
            options={KEY_DISTRIBUTIONS}
            onChange={(d) =>
              apply(
                WorkloadSchema.parse({ ...workload, keys: { ...keys, distribution: d } }),
                'keys.distribution',
              )
            }
          />
        </>
      )}
      {keys?.list !== undefined && (
        <p className="fsec-note ff-wide">{keys.list.length} listed keys (edit in the file).</p>
      )}
    </Section>
  );
}

const NEMESIS_SPECS: NumSpec[] = [
  { path: ['crashRatePerS'], label: 'Crashes', unit: '/s' },
  { path: ['meanDowntimeUs'], label: 'Mean downtime', ...MS },
  { path: ['partitionRatePerS'], label: 'Partitions', unit: '/s' },
  { path: ['meanPartitionUs'], label: 'Mean partition', ...MS },
  { path: ['oneWayFraction'], label: 'One-way', ...PCT },
  { path: ['lossRatePerS'], label: 'Loss bursts', unit: '/s' },
  { path: ['lossRate'], label: 'Burst loss', ...PCT },
  { path: ['meanLossUs'], label: 'Mean burst', ...MS },
  { path: ['clockSkewRatePerS'], label: 'Clock steps', unit: '/s' },
  { path: ['maxSkewUs'], label: 'Max step', ...MS },
  {
    path: ['leaderFocus'],
    label: 'Aim at leader',
    ...PCT,
    hint: 'Share of crashes and partitions aimed at the leader (consensus protocols)',
  },
  {
    path: ['quickRestartFraction'],
    label: 'Quick restarts',
    ...PCT,
    hint: 'Share of crashes back within the quick downtime',
  },
  { path: ['quickRestartUs'], label: 'Quick downtime', ...MS, hint: 'Longest downtime of a quick restart' },
  {
    path: ['crashAfterPromise'],
    label: 'Crash after promise',
    ...PCT,
    hint: 'Chance a node crashes right after a vote or Paxos promise, and restarts quickly',
  },
  {
    path: ['crashNewLeader'],
    label: 'Crash new leader',
    ...PCT,
    hint: 'Chance a new leader crashes before its first messages leave',
  },
  {
    path: ['crashAfterFirstCommit'],
    label: 'Crash after 1st commit',
    ...PCT,
    hint: 'Chance a new leader crashes right after its first commit, before telling anyone',
  },
  {
    path: ['crashMidSend'],
    label: 'Crash while sending',
    ...PCT,
    hint: 'Chance a step that sends to several nodes is cut short by a crash: only part of its messages leave',
  },
  { path: ['startUs'], label: 'Start', ...MS },
  { path: ['stopUs'], label: 'Stop', ...MS, optional: true, hint: 'Empty: until the run ends' },
];

/** Random faults drawn from the seed. */
export function NemesisForm() {
  const nemesis = useGraph((s) => s.base?.nemesis);
  const patchBase = useGraph((s) => s.patchBase);
  if (!nemesis) return null;
  return (
    <Section title="Nemesis" open={nemesis.enabled}>
      <CheckField
        label="Random faults"
        hint="Crashes, partitions, loss bursts and clock steps at these rates, drawn from the seed"
        checked={nemesis.enabled}
        onChange={(enabled) => patchBase({ nemesis: { ...nemesis, enabled } }, 'nemesis:enabled')}
      />
      {nemesis.enabled && (
        <ObjectFields
          schema={NemesisSchema}
          value={nemesis}
          specs={NEMESIS_SPECS}
          apply={(next, key) => patchBase({ nemesis: next }, `nemesis:${key}`)}
        />
      )}
    </Section>
  );
}

const LIMIT_SPECS: NumSpec[] = [
  { path: ['maxTimeUs'], label: 'Run until', unit: 's', scale: 1_000_000, int: true },
  { path: ['maxEvents'], label: 'Max events', int: true },
  {
    path: ['maxInFlight'],
    label: 'Max in flight',
    int: true,
    hint: 'Sends beyond are dropped (reason: limit)',
  },
  { path: ['maxTraceRows'], label: 'Max trace rows', int: true },
];

/** The seed (the toolbar's, which the run uses) and the run's caps. */
export function RunSettingsForm() {
  const limits = useGraph((s) => s.base?.limits);
  const patchBase = useGraph((s) => s.patchBase);
  const seed = usePlayback((s) => s.seed);
  const setSeed = usePlayback((s) => s.setSeed);
  if (!limits) return null;
  return (
    <Section title="Seed and limits" open={false}>
      <NumberField
        label="Seed"
        value={seed}
        hint="Every random draw in a run derives from it (same as the toolbar's)"
        commit={(v) => {
          const r = ScenarioSchema.shape.seed.safeParse(v);
          if (!r.success) return fieldError(r.error, '');
          setSeed(r.data);
          return null;
        }}
      />
      <ObjectFields
        schema={LimitsSchema}
        value={limits}
        specs={LIMIT_SPECS}
        apply={(next, key) => patchBase({ limits: next }, `limits:${key}`)}
      />
    </Section>
  );
}
