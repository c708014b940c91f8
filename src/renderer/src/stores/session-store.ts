/** Where the lab runs and what it offers: app info, the catalog, the chosen protocol. */
import { create } from 'zustand';
import type { AppInfo, ProtocolInfo } from '../../../shared/api';

interface SessionState {
  /** Versions, transport, data folder; null until loaded. */
  info: AppInfo | null;
  /** Every protocol, in catalog order. */
  protocols: ProtocolInfo[];
  /** The chosen protocol's id. */
  protocolId: string | null;
  /** Set when the lab could not reach its host. */
  error: string | null;
  setInfo(info: AppInfo): void;
  setProtocols(protocols: ProtocolInfo[]): void;
  setProtocolId(id: string | null): void;
  setError(error: string | null): void;
}

export const useSession = create<SessionState>()((set) => ({
  info: null,
  protocols: [],
  protocolId: null,
  error: null,
  setInfo: (info) => set({ info }),
  setProtocols: (protocols) => set({ protocols }),
  setProtocolId: (protocolId) => set({ protocolId }),
  setError: (error) => set({ error }),
}));

/** Selector: the chosen protocol, or null. */
export const selectProtocol = (s: SessionState): ProtocolInfo | null =>
  s.protocols.find((p) => p.id === s.protocolId) ?? null;

/** Topics in catalog order, each once. */
export function topicsOf(protocols: readonly ProtocolInfo[]): { id: string; title: string }[] {
  const seen = new Map<string, string>();
  for (const p of protocols) if (!seen.has(p.topic)) seen.set(p.topic, p.topicTitle);
  return [...seen].map(([id, title]) => ({ id, title }));
}
