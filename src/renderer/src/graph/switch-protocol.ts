/**
 * Switching protocol with a topology on the canvas: which nodes survive, which change role,
 * which go. Pure (no React, no store), so the rule is unit-tested and documented in one place.
 *
 * The rule (docs/editor.md "Switching protocol"):
 * 1. A node whose role the new protocol also has, or a switch, keeps its role, up to that
 *    role's max count. A client is kept only by a protocol that declares clients.
 * 2. The other nodes are remapped in canvas order: first to fill the new protocol's roles that
 *    are below their min count (in the protocol's role order), then to its main role (the
 *    first protocol role without a max, e.g. Paxos's proposers become Multi-Paxos replicas).
 * 3. What cannot be placed (every role full) is removed, with the links that touch it.
 */
import type { ScenarioLink, ScenarioNode } from '../../../shared/scenario/schema';

/** The part of a catalog role the mapping needs. */
export interface SwitchRole {
  /** Role id. */
  id: string;
  /** Fewest nodes of the role a valid topology has. */
  min: number;
  /** Most nodes of the role, or null for no limit. */
  max: number | null;
}

/** Roles every protocol accepts, whatever its own roles. */
const GENERIC = new Set(['switch']);

/** Roles that do not run the protocol: never a target of rule 2, not counted as its nodes. */
const NOT_RUNNING = new Set(['client', 'switch']);

/** The topology after the switch and what happened to it. */
export interface SwitchResult {
  /** Surviving nodes (same ids, names, positions, clocks; roles possibly changed). */
  nodes: ScenarioNode[];
  /** Links whose two ends survived. */
  links: ScenarioLink[];
  /** Nodes that kept their role. */
  kept: number;
  /** Role changes, grouped: count nodes of role `from` became `to`. */
  remapped: { from: string; to: string; count: number }[];
  /** Nodes removed. */
  removed: number;
  /** Nodes that run the new protocol (not client/switch) after the switch. */
  protocolNodes: number;
}

/** Maps a topology onto a new protocol's roles (see the module comment for the rule). */
export function switchProtocolTopology(
  topology: { nodes: readonly ScenarioNode[]; links: readonly ScenarioLink[] },
  roles: readonly SwitchRole[],
): SwitchResult {
  const own = roles.filter((r) => !NOT_RUNNING.has(r.id));
  const byId = new Map(roles.map((r) => [r.id, r]));
  const count = new Map<string, number>();
  const room = (id: string) => {
    const max = byId.get(id)?.max ?? null;
    return max === null || (count.get(id) ?? 0) < max;
  };
  const take = (id: string) => count.set(id, (count.get(id) ?? 0) + 1);

  const roleOf = new Map<string, string>();
  const orphans: ScenarioNode[] = [];
  let kept = 0;
  let removed = 0;
  // 1. Same role, or a switch.
  for (const n of topology.nodes) {
    if (byId.has(n.role) || GENERIC.has(n.role)) {
      if (room(n.role)) {
        take(n.role);
        roleOf.set(n.id, n.role);
        kept++;
      } else removed++;
    } else orphans.push(n);
  }
  // 2. Orphans fill roles below their min, then the main role.
  const main = own.find((r) => r.max === null) ?? null;
  const remapped = new Map<string, { from: string; to: string; count: number }>();
  for (const n of orphans) {
    const short = own.find((r) => (count.get(r.id) ?? 0) < r.min && room(r.id));
    const target = short ?? (main && room(main.id) ? main : own.find((r) => room(r.id)));
    if (!target) {
      removed++;
      continue;
    }
    take(target.id);
    roleOf.set(n.id, target.id);
    const key = `${n.role}\u0000${target.id}`;
    const g = remapped.get(key) ?? { from: n.role, to: target.id, count: 0 };
    g.count++;
    remapped.set(key, g);
  }
  // 3. Survivors and their links.
  const nodes = topology.nodes
    .filter((n) => roleOf.has(n.id))
    .map((n) => (roleOf.get(n.id) === n.role ? n : { ...n, role: roleOf.get(n.id) as string }));
  const links = topology.links.filter((l) => roleOf.has(l.a) && roleOf.has(l.b));
  const protocolNodes = nodes.filter((n) => !NOT_RUNNING.has(n.role)).length;
  return { nodes, links, kept, remapped: [...remapped.values()], removed, protocolNodes };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What the switch did, in plain words that say the nodes were kept:
 * "Switched to Multi-Paxos, keeping your 9 nodes: 2 proposer nodes now run as replica, 3
 * acceptor nodes now run as replica; 3 kept their role." Removed nodes are counted as such.
 */
export function describeSwitch(
  r: Pick<SwitchResult, 'kept' | 'remapped' | 'removed'>,
  protocolTitle: string,
): string {
  const moved = r.remapped.reduce((n, g) => n + g.count, 0);
  const total = r.kept + moved + r.removed;
  const head =
    r.removed === 0
      ? `Switched to ${protocolTitle}, keeping your ${plural(total, 'node')}`
      : `Switched to ${protocolTitle}, keeping ${r.kept + moved} of your ${plural(total, 'node')}`;
  if (moved === 0 && r.removed === 0) return `${head} and their roles.`;
  const parts: string[] = [];
  if (moved > 0)
    parts.push(
      r.remapped
        .map((g) => `${plural(g.count, `${g.from} node`)} now ${g.count === 1 ? 'runs' : 'run'} as ${g.to}`)
        .join(', '),
    );
  if (r.kept > 0) parts.push(`${r.kept} kept ${r.kept === 1 ? 'its' : 'their'} role`);
  if (r.removed > 0)
    parts.push(
      `${plural(r.removed, 'node')} had no role left in ${protocolTitle} and ${r.removed === 1 ? 'was' : 'were'} removed`,
    );
  return `${head}: ${parts.join('; ')}.`;
}
