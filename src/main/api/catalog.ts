/** Adapts src/sim's protocol catalog to the API's CatalogPort. */

import type { ProtocolInfo } from '../../shared/api';
import { TOPICS, topicTitle } from '../../shared/topics';
import { defaultScenario, getProtocol, listProtocols } from '../../sim';
import type { CatalogPort } from './handlers';

const topicOrder = (id: string) => {
  const i = TOPICS.findIndex((t) => t.id === id);
  return i < 0 ? TOPICS.length : i;
};

export function createSimCatalog(): CatalogPort {
  const list: ProtocolInfo[] = listProtocols()
    .map((p) => ({
      id: p.id,
      topic: p.topic,
      topicTitle: topicTitle(p.topic),
      title: p.title,
      summary: p.lesson.summary,
      version: p.version,
      speed: p.speed,
      roles: p.roles.map((r) => ({ id: r.id, label: r.label, min: r.min, max: r.max })),
      paramsJsonSchema: p.paramsJsonSchema,
      defaults: p.defaults,
      invariants: p.invariants,
      liveness: p.liveness,
      runChecks: p.runChecks,
      views: p.views,
      experiments: p.experiments,
      metrics: p.metrics,
      bugs: p.bugs,
      lesson: p.lesson,
    }))
    .sort((a, b) => topicOrder(a.topic) - topicOrder(b.topic) || a.title.localeCompare(b.title));
  return {
    list: () => list,
    defaultScenario: (id) => (getProtocol(id) ? defaultScenario(id) : undefined),
    defaultTopology: (id) => {
      if (!getProtocol(id)) return undefined;
      const s = defaultScenario(id);
      return {
        nodes: s.topology.nodes.map((n) => ({
          id: n.id,
          name: n.name || n.id,
          role: n.role,
          x: n.x,
          y: n.y,
        })),
        links: s.topology.links.map((l) => ({ id: l.id, a: l.a, b: l.b })),
      };
    },
  };
}
