/** The seed search the Checkers tab shows (app/search.ts fills it): null before the first one. */
import { create } from 'zustand';
import type { SearchStatus } from '../../../shared/api';

export const useSearch = create<{ status: SearchStatus | null; set(status: SearchStatus | null): void }>()(
  (set) => ({
    status: null,
    set: (status) => set({ status }),
  }),
);
