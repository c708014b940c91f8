/** The parts a palette offers for a protocol, and the colour tone each role gets. Pure. */
import type { ProtocolInfo } from '../../../shared/api';
import type { PaletteRole } from './types';

/**
 * Generic parts every topology may use, whatever the protocol: a switch only. A client is not
 * generic: a protocol whose nodes answer a workload declares its 'client' role (Raft, 2PC,
 * Kafka…), and one without (Storm, Lambda, Berkeley…) has no client to offer.
 */
export const GENERIC_ROLES: readonly PaletteRole[] = [
  { id: 'switch', label: 'Switch', min: 0, max: null, generic: true },
];

/** The protocol's roles followed by the generic parts (a protocol role wins on an id clash). */
export function paletteRoles(protocol: Pick<ProtocolInfo, 'roles'> | null | undefined): PaletteRole[] {
  const own: PaletteRole[] = (protocol?.roles ?? []).map((r) => ({ ...r, generic: false }));
  const ids = new Set(own.map((r) => r.id));
  return [...own, ...GENERIC_ROLES.filter((g) => !ids.has(g.id))];
}

/** How many colour tones the theme defines for protocol roles (--role-1 ... --role-6). */
export const ROLE_TONES = 6;

/**
 * The CSS tone of a role: 'client' and 'switch' have their own, protocol roles take
 * tones 1..6 in catalog order, and a role the protocol does not know is neutral.
 */
export function roleTone(roleId: string, roles: readonly PaletteRole[]): string {
  const own = roles.filter((r) => !r.generic);
  const i = own.findIndex((r) => r.id === roleId);
  if (i >= 0) return String((i % ROLE_TONES) + 1);
  if (roleId === 'client' || roleId === 'switch') return roleId;
  return 'unknown';
}

/** A role's label, or its id when the protocol does not offer it. */
export function roleLabel(roleId: string, roles: readonly PaletteRole[]): string {
  return roles.find((r) => r.id === roleId)?.label ?? roleId;
}
