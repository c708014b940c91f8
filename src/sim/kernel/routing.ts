/**
 * Shortest-latency routes over the wired topology. Edges are directed (a link has an a->b and
 * a b->a direction, each of which can be cut on its own). Only switch nodes forward: a path may
 * pass through switches but never through another protocol node, as hosts do not route.
 * Ties are broken by the lower node index, so routes are the same on every run.
 */
export interface RouteGraph {
  /** Number of nodes. */
  nodeCount: number;
  /** Per node: true when it is a switch (may forward). */
  isSwitch: readonly boolean[];
  /** Per node: false when removed. */
  present: readonly boolean[];
  /** Per node: outgoing directed links as [dirLink, neighbor, weightUs] triples, flattened. */
  out: readonly number[][];
}

/**
 * Dijkstra from `src` (binary heap over (dist, node)). Returns, per node, the directed link by
 * which the shortest path enters it (-1 unreachable or src).
 */
export function shortestTree(g: RouteGraph, src: number): Int32Array {
  const n = g.nodeCount;
  const dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const via = new Int32Array(n).fill(-1);
  const done = new Uint8Array(n);
  const hd: number[] = [];
  const hn: number[] = [];
  const push = (d: number, v: number): void => {
    let i = hd.length;
    hd.push(d);
    hn.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hd[p]! < d || (hd[p] === d && hn[p]! < v)) break;
      hd[i] = hd[p]!;
      hn[i] = hn[p]!;
      i = p;
    }
    hd[i] = d;
    hn[i] = v;
  };
  const pop = (): number => {
    const top = hn[0]!;
    const ld = hd.pop()!;
    const ln = hn.pop()!;
    const m = hd.length;
    if (m > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= m) break;
        const r = c + 1;
        if (r < m && (hd[r]! < hd[c]! || (hd[r] === hd[c] && hn[r]! < hn[c]!))) c = r;
        if (ld < hd[c]! || (ld === hd[c] && ln < hn[c]!)) break;
        hd[i] = hd[c]!;
        hn[i] = hn[c]!;
        i = c;
      }
      hd[i] = ld;
      hn[i] = ln;
    }
    return top;
  };
  dist[src] = 0;
  push(0, src);
  while (hd.length > 0) {
    const d0 = hd[0]!;
    const u = pop();
    if (done[u] || d0 > dist[u]!) continue;
    done[u] = 1;
    // Only the source and switches forward.
    if (u !== src && !g.isSwitch[u]) continue;
    const edges = g.out[u] ?? [];
    for (let k = 0; k < edges.length; k += 3) {
      const v = edges[k + 1]!;
      if (!g.present[v] || done[v]) continue;
      const nd = d0 + edges[k + 2]!;
      if (nd < dist[v]! || (nd === dist[v] && via[v]! > edges[k]!)) {
        dist[v] = nd;
        via[v] = edges[k]!;
        push(nd, v);
      }
    }
  }
  return via;
}
