import type { MetricSpec, NodeView } from '../protocol';

/**
 * A gauge that sums one numeric field over every node, such as messages delivered or rounds
 * completed. A crashed node counts what its disk kept: a field it did not keep adds nothing,
 * so the sum never turns into NaN when a node goes down.
 */
export function sumOver<S>(id: string, unit: string, field: (s: S) => number | undefined): MetricSpec<S> {
  return {
    id,
    unit,
    read(nodes: readonly NodeView<S>[]) {
      let n = 0;
      for (const v of nodes) {
        const x = field(v.state);
        if (typeof x === 'number' && Number.isFinite(x)) n += x;
      }
      return n;
    },
  };
}
