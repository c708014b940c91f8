/** The canvas graph's types: what @xyflow/react renders, shaped for the lab. */
import type { Edge, Node } from '@xyflow/react';
import type { ScenarioLink } from '../../../shared/scenario/schema';

/** What a canvas node carries besides its position. */
export interface LabNodeData extends Record<string, unknown> {
  /** Display name, unique on the canvas, editable in place. */
  name: string;
  /** Role id from the protocol, or 'client' / 'switch'. */
  role: string;
  /** Initial clock offset from true time, microseconds (scenario default 0). */
  clockOffsetUs?: number;
  /** Clock drift in parts per million (scenario default 0). */
  clockDriftPpm?: number;
}

/** A node on the canvas. */
export type LabFlowNode = Node<LabNodeData, 'lab'>;

/** A link's network properties, as the scenario stores them. */
export type LinkNet = Omit<ScenarioLink, 'id' | 'a' | 'b'>;

/** What a canvas link carries: its network properties when the scenario gave them. */
export interface LabEdgeData extends Record<string, unknown> {
  /** Latency, loss, duplication, reordering; absent means the lab's defaults (DEFAULT_LINK_NET). */
  net?: LinkNet;
}

/** A link on the canvas; links are undirected, so source/target are just its two ends. */
export type LabFlowEdge = Edge<LabEdgeData, 'link'>;

/** A role the palette and the inspector offer. */
export interface PaletteRole {
  /** Role id stored in scenarios. */
  id: string;
  /** Label shown to people. */
  label: string;
  /** Fewest nodes of this role a valid topology has. */
  min: number;
  /** Most nodes of this role, or null for no limit. */
  max: number | null;
  /** Whether the role is one of the lab's generic parts rather than the protocol's. */
  generic: boolean;
}
