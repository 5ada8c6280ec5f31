// Which console view is open. Invariant: after a session ends the next one starts on the
// inventory, the one view every role has.
import { create } from 'zustand';
import type { ConsoleView } from '../session/capabilities';

interface NavigationState {
  view: ConsoleView;
  go: (view: ConsoleView) => void;
  reset: () => void;
}

export const useNavigationStore = create<NavigationState>()((set) => ({
  view: 'inventory',
  go: (view) => set({ view }),
  reset: () => set({ view: 'inventory' }),
}));
