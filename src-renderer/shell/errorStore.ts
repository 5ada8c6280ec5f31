// The error banner's state: the last failure nobody planned for, with its code. Invariant: only
// one banner shows at a time, the latest, and it stays until dismissed or replaced.
import { create } from 'zustand';
import type { Channel, WardkeepError } from '../../src-preload/contract';

export interface BannerError extends WardkeepError {
  channel: Channel | null;
}

interface ErrorState {
  banner: BannerError | null;
  showError: (error: WardkeepError, channel: Channel | null) => void;
  dismiss: () => void;
}

export const useErrorStore = create<ErrorState>()((set) => ({
  banner: null,
  showError: (error, channel) => set({ banner: { ...error, channel } }),
  dismiss: () => set({ banner: null }),
}));
