/** The palette roles of the chosen protocol, memoised per protocol. */
import { useMemo } from 'react';
import { paletteRoles } from '../graph/roles';
import type { PaletteRole } from '../graph/types';
import { selectProtocol, useSession } from '../stores/session-store';

export function useRoles(): PaletteRole[] {
  const protocol = useSession(selectProtocol);
  return useMemo(() => paletteRoles(protocol), [protocol]);
}
