/**
 * Deep copies of node states, which are plain JSON-shaped data (objects, arrays, strings,
 * finite numbers, booleans, null). The kernel copies a state where its history must not change
 * under it: a checkpoint keeps a copy and a restore copies it back (archive.ts), and the
 * inspector is given a copy (archive.ts lookCopy, from Kernel.nodeInfo). Protocols never copy.
 *
 * A hand-written walk rather than structuredClone: node states are small objects read on the
 * hot path, and structuredClone's serializer costs several times more per object there. It
 * also refuses what JSON cannot hold (a Map, a class instance, a function), naming the path,
 * so a state that could not be saved or shown is found where it is made.
 */
export function copyState<T>(value: T): T {
  try {
    return copy(value) as T;
  } catch (e) {
    if (e !== NOT_JSON) throw e;
    // Rare: walk again, this time keeping the path, to say where.
    throw new TypeError(`${whereNotJson(value, 'state')}: node state must be plain JSON-shaped data`);
  }
}

/** Thrown by the fast walk, which keeps no path. */
const NOT_JSON = new Error('not JSON-shaped');

function copy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return leaf(v);
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array(n);
    for (let k = 0; k < n; k++) {
      const x = v[k];
      out[k] = x !== null && typeof x === 'object' ? copy(x) : leaf(x);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_JSON;
  const out: Record<string, unknown> = {};
  const o = v as Record<string, unknown>;
  for (const key in o) {
    const x = o[key];
    out[key] = x !== null && typeof x === 'object' ? copy(x) : leaf(x);
  }
  return out;
}

/** A value that is not an object: kept as it is, unless JSON cannot hold it. */
function leaf(x: unknown): unknown {
  const t = typeof x;
  if (t === 'function' || t === 'symbol' || t === 'bigint') throw NOT_JSON;
  return x;
}

/** The path of the first value JSON cannot hold, and what it is. */
function whereNotJson(v: unknown, path: string): string {
  const t = typeof v;
  if (t === 'function' || t === 'symbol' || t === 'bigint') return `${path} is a ${t}`;
  if (v === null || t !== 'object') return '';
  if (Array.isArray(v)) {
    for (let k = 0; k < v.length; k++) {
      const w = whereNotJson(v[k], `${path}[${k}]`);
      if (w !== '') return w;
    }
    return '';
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null)
    return `${path} is a ${proto?.constructor?.name ?? 'non-plain object'}`;
  for (const key in v as Record<string, unknown>) {
    const w = whereNotJson((v as Record<string, unknown>)[key], `${path}.${key}`);
    if (w !== '') return w;
  }
  return '';
}
