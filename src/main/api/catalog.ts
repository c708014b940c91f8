/** Adapts src/sim's protocol catalog to the API's CatalogPort. */
import type { CatalogPort } from './handlers';

// Replaced by the sim catalog once the kernel lands in this checkout.
export function createSimCatalog(): CatalogPort {
  const protocols = [
    {
      id: 'ping-pong',
      topic: 'kernel',
      topicTitle: 'Kernel basics',
      title: 'Ping-pong',
      summary: 'Two or more nodes bounce a message back and forth.',
      roles: [{ id: 'peer', label: 'Peer', min: 2, max: null }],
    },
  ];
  return {
    list: () => protocols,
    defaultTopology: (id) =>
      id === 'ping-pong'
        ? {
            nodes: [
              { id: 'n1', name: 'alpha', role: 'peer', x: 0, y: 0 },
              { id: 'n2', name: 'beta', role: 'peer', x: 300, y: 0 },
            ],
            links: [{ id: 'l1', a: 'n1', b: 'n2' }],
          }
        : undefined,
  };
}
