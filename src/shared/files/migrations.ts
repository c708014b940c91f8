/**
 * Older `.dslab.json` shapes, migrated one step at a time up to FILE_SCHEMA_VERSION. Each
 * step takes the parsed JSON of version N and returns version N+1; it only reshapes what it
 * recognizes and passes everything else through, so validation afterwards still names the
 * path of whatever is wrong. Never change a step that has shipped: add the next one.
 */

/** One file-format step. */
export interface FileMigration {
  /** The schemaVersion this step reads. */
  from: number;
  /** What changed, for docs and logs. */
  title: string;
  /** Reshapes a file of version `from` into version `from + 1`. */
  up(data: Record<string, unknown>): Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Version 0 (DSLab 0.x, before the wrapper): a bare scenario object with no `format` field,
 * nodes and links at the top level, links named by `from`/`to` with a constant `latencyMs`
 * and a `loss` rate, and optional `description`, `tags` and `seed` beside them:
 *
 *   { "name": "...", "topic": "basics", "protocol": "ping-pong", "params": {}, "seed": 7,
 *     "nodes": [{ "id": "n1", "role": "node", "x": 0, "y": 0 }],
 *     "links": [{ "from": "n1", "to": "n2", "latencyMs": 1.5, "loss": 0.01 }] }
 */
function v0ToV1(d: Record<string, unknown>): Record<string, unknown> {
  const { description, tags, nodes, links, seed, schemaVersion: _v, ...rest } = d;
  const migratedLinks = Array.isArray(links)
    ? links.map((l, i) => {
        if (!isObject(l)) return l;
        const { from, to, latencyMs, loss, ...other } = l;
        const out: Record<string, unknown> = { id: `l${i + 1}`, ...other, a: from, b: to };
        if (latencyMs !== undefined)
          out.latency =
            typeof latencyMs === 'number' && Number.isFinite(latencyMs)
              ? { kind: 'constant', us: Math.max(0, Math.round(latencyMs * 1000)) }
              : latencyMs;
        if (loss !== undefined) out.lossRate = loss;
        return out;
      })
    : links;
  return {
    format: 'dslab',
    kind: 'scenario',
    schemaVersion: 1,
    ...(description !== undefined ? { description } : {}),
    ...(tags !== undefined ? { tags } : {}),
    scenario: {
      schemaVersion: 1,
      ...rest,
      seed: seed ?? 1,
      topology: { nodes: nodes ?? [], links: migratedLinks ?? [] },
    },
  };
}

/** Every step, by the version it reads. */
export const fileMigrations: FileMigration[] = [
  {
    from: 0,
    title: 'wrap the bare scenario of DSLab 0.x; links from/to/latencyMs/loss → a/b/latency/lossRate',
    up: v0ToV1,
  },
];

/**
 * The schemaVersion a parsed file declares: a file without a `format` field is version 0
 * (the shape above; parse.ts reads a bare current scenario, which has `topology`, before
 * asking); otherwise its `schemaVersion` (undefined when absent or not a number).
 */
export function declaredVersion(data: Record<string, unknown>): number | undefined {
  if (!('format' in data)) return 0;
  const v = data.schemaVersion;
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}
