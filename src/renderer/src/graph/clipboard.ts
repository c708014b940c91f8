/**
 * Copy and paste of nodes (and the links between them). Pure: works on the scenario's
 * topology shape, so a pasted node keeps its role, clock and its links' network properties.
 * The clipboard itself is the lab's own (a module variable in the graph store), not the OS's:
 * a scenario fragment pasted into a text editor would be of little use.
 */
import type { ScenarioLink, ScenarioNode } from '../../../shared/scenario/schema';
import { nextId } from './topology';

/** A copied fragment: the selected nodes and the links whose two ends were both selected. */
export interface Clip {
  /** Copied nodes as they were. */
  nodes: ScenarioNode[];
  /** Links among them. */
  links: ScenarioLink[];
}

/** Offset of each paste from the copied nodes, flow units (one grid step is 16). */
export const PASTE_OFFSET = 32;

/** Copies the selected nodes and the links between them, or null when no node is selected. */
export function copyClip(
  topology: { nodes: readonly ScenarioNode[]; links: readonly ScenarioLink[] },
  selected: ReadonlySet<string>,
): Clip | null {
  const nodes = topology.nodes.filter((n) => selected.has(n.id));
  if (nodes.length === 0) return null;
  const links = topology.links.filter((l) => selected.has(l.a) && selected.has(l.b));
  return { nodes: nodes.map((n) => ({ ...n })), links: links.map((l) => ({ ...l })) };
}

/**
 * The names a copy of `name` may take, in order: "replica-2" -> replica-1, replica-2, ...;
 * "n2" -> n1, n2, ...; "alpha" -> alpha-1, alpha-2, ...
 */
function* candidates(name: string): Generator<string> {
  const m = /^(.*?)(-?)(\d+)$/.exec(name);
  const stem = m ? m[1] || 'node' : name || 'node';
  const sep = m ? m[2] : '-';
  for (let i = 1; ; i++) yield `${stem}${sep}${i}`;
}

/**
 * The clip's nodes and links with fresh ids and names (the name's stem and the first free number), moved by
 * `offset` flow units right and down. Returns only what to add.
 */
export function pasteClip(
  clip: Clip,
  topology: { nodes: readonly ScenarioNode[]; links: readonly ScenarioLink[] },
  offset: number,
): { nodes: ScenarioNode[]; links: ScenarioLink[] } {
  const ids = topology.nodes.map((n) => n.id);
  const names = new Set(topology.nodes.map((n) => n.name));
  const linkIds = topology.links.map((l) => l.id);
  const idMap = new Map<string, string>();
  const nodes = clip.nodes.map((n) => {
    const id = nextId('n', ids);
    ids.push(id);
    idMap.set(n.id, id);
    let name = n.name;
    for (const c of candidates(n.name)) {
      if (!names.has(c)) {
        name = c;
        break;
      }
    }
    names.add(name);
    return { ...n, id, name, x: n.x + offset, y: n.y + offset };
  });
  const links = clip.links.map((l) => {
    const id = nextId('l', linkIds);
    linkIds.push(id);
    return { ...l, id, a: idMap.get(l.a) as string, b: idMap.get(l.b) as string };
  });
  return { nodes, links };
}
