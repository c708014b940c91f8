/**
 * A link's network (latency distribution in ms, loss, duplication and reordering in %) and a
 * node's clock (offset in ms, drift in ppm), checked with LinkSchema / NodeSchema from
 * src/shared/scenario/schema.ts. The scenario stores µs and probabilities.
 */
import type { Latency } from '../../../../shared/scenario/schema';
import { LatencySchema, LinkSchema, NodeSchema } from '../../../../shared/scenario/schema';
import {
  fieldError,
  LATENCY_FIELDS,
  LATENCY_KINDS,
  latencyFieldText,
  latencyOfKind,
  latencyProblem,
  withLatencyField,
} from '../../graph/form-values';
import { DEFAULT_LINK_NET, meanLatencyUs } from '../../graph/scenario';
import type { LabFlowEdge, LabFlowNode, LinkNet } from '../../graph/types';
import { useGraph } from '../../stores/graph-store';
import { NumberField, Section, SelectField } from './fields';
import { ObjectFields } from './object-fields';

const LINK_OBJECT = LinkSchema.omit({ id: true, a: true, b: true });

/** A link's latency, loss, duplication and reordering. */
export function LinkForm({ edge }: { edge: LabFlowEdge }) {
  const setLinkNet = useGraph((s) => s.setLinkNet);
  const net: LinkNet = edge.data?.net ?? DEFAULT_LINK_NET;
  const apply = (next: LinkNet, key: string) => setLinkNet(edge.id, next, `link:${edge.id}:${key}`);
  const setLatency = (latency: Latency, key: string) => apply({ ...net, latency }, key);
  return (
    <>
      <Section title="Latency">
        <SelectField
          label="Distribution"
          wide
          value={net.latency.kind}
          options={LATENCY_KINDS}
          onChange={(k) => setLatency(latencyOfKind(k as Latency['kind'], meanLatencyUs(net)), 'kind')}
        />
        {LATENCY_FIELDS[net.latency.kind].map((f) => (
          <NumberField
            key={`${net.latency.kind}:${f.key}`}
            label={f.label}
            unit={f.unit || undefined}
            optional={f.optional}
            hint={f.optional ? 'Optional: leave empty for none' : undefined}
            value={
              latencyFieldText(net.latency, f) === '' ? undefined : Number(latencyFieldText(net.latency, f))
            }
            commit={(v) => {
              const next = withLatencyField(net.latency, f, v);
              const r = LatencySchema.safeParse(next);
              if (!r.success) return fieldError(r.error, f.key, f.unit === 'ms' ? 1000 : 1, f.unit);
              const cross = latencyProblem(r.data);
              if (cross)
                return f.key === cross.key
                  ? cross.message
                  : 'Must not be above the max (change the max first).';
              setLatency(r.data, f.key);
              return null;
            }}
          />
        ))}
      </Section>
      <Section title="Faults on the wire">
        <ObjectFields
          schema={LINK_OBJECT}
          value={net}
          specs={[
            { path: ['lossRate'], label: 'Loss', unit: '%', scale: 0.01 },
            { path: ['dupRate'], label: 'Duplication', unit: '%', scale: 0.01 },
            { path: ['reorderRate'], label: 'Reordering', unit: '%', scale: 0.01 },
            {
              path: ['reorderDelayUs'],
              label: 'Reorder delay',
              unit: 'ms',
              scale: 1000,
              int: true,
              hint: 'A reordered message waits up to this much longer',
            },
          ]}
          apply={(next, key) => apply(next as LinkNet, key)}
        />
      </Section>
    </>
  );
}

const CLOCK = NodeSchema.pick({ clockOffsetUs: true, clockDriftPpm: true });

/** A node's initial clock. */
export function NodeClockForm({ node }: { node: LabFlowNode }) {
  const setNodeClock = useGraph((s) => s.setNodeClock);
  const clock = { clockOffsetUs: node.data.clockOffsetUs ?? 0, clockDriftPpm: node.data.clockDriftPpm ?? 0 };
  return (
    <Section title="Clock">
      <ObjectFields
        schema={CLOCK}
        value={clock}
        specs={[
          {
            path: ['clockOffsetUs'],
            label: 'Offset',
            unit: 'ms',
            scale: 1000,
            int: true,
            hint: 'Initial offset from true time (negative: behind)',
          },
          {
            path: ['clockDriftPpm'],
            label: 'Drift',
            unit: 'ppm',
            hint: 'Positive runs fast; 100 ppm = 0.1 ms/s',
          },
        ]}
        apply={(next, key) => setNodeClock(node.id, next, `clock:${node.id}:${key}`)}
      />
    </Section>
  );
}
