// The certificates view's data: the PKI overview, the certificate list and the expiry windows,
// trust anchors and legacy-device exceptions, each read from main on demand, plus the exception
// a provisioning refusal asked to document. Invariants: after every change the affected lists are
// read again from main, never patched locally; an answer for a query that is no longer the
// current one is dropped; the end of the sign-in session forgets it all.
import { create } from 'zustand';
import type { ResultOf } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { onSessionEnd } from '../session/sessionStore';
import type { ExceptionRecord, ExceptionSubject } from './exceptions';
import { exceptionOrder } from './exceptions';
import type { CertificateRecord, ExpiryWindow } from './expiry';

export type PkiOverview = ResultOf<'pki:overview'>;
export type TrustAnchor = ResultOf<'trust:list'>[number];
export type CertificateStatus = CertificateRecord['status'];

export const certificateTabs = [
  'overview',
  'expiring',
  'certificates',
  'trust',
  'exceptions',
] as const;
export type CertificateTab = (typeof certificateTabs)[number];

interface PkiState {
  tab: CertificateTab;
  overview: PkiOverview | null;
  certificates: CertificateRecord[] | null;
  statusFilter: CertificateStatus | null;
  expiryWindow: ExpiryWindow;
  expiring: CertificateRecord[] | null;
  trustAnchors: TrustAnchor[] | null;
  exceptions: ExceptionRecord[] | null;
  includeRevoked: boolean;
  exceptionSubject: ExceptionSubject | null;

  setTab: (tab: CertificateTab) => void;
  loadOverview: () => Promise<void>;
  loadCertificates: (status?: CertificateStatus | null) => Promise<void>;
  loadExpiring: (window?: ExpiryWindow) => Promise<void>;
  loadTrustAnchors: () => Promise<void>;
  loadExceptions: (includeRevoked?: boolean) => Promise<void>;
  /** Opens the exceptions tab with the form filled in for this device. */
  documentException: (subject: ExceptionSubject) => void;
  clearExceptionSubject: () => void;
  reset: () => void;
}

let wired = false;
function wire(): void {
  if (wired) return;
  wired = true;
  onSessionEnd(() => usePkiStore.getState().reset());
}

const empty = {
  tab: 'overview' as CertificateTab,
  overview: null,
  certificates: null,
  statusFilter: null,
  expiryWindow: 30 as ExpiryWindow,
  expiring: null,
  trustAnchors: null,
  exceptions: null,
  includeRevoked: false,
  exceptionSubject: null,
};

export const usePkiStore = create<PkiState>()((set, get) => ({
  ...empty,

  setTab(tab) {
    wire();
    set({ tab });
  },

  async loadOverview() {
    wire();
    const result = await call('pki:overview', {});
    if (result.ok) set({ overview: result.value });
  },

  async loadCertificates(status = get().statusFilter) {
    wire();
    set({ statusFilter: status });
    const result = await call('pki:certificates', {
      limit: 5000,
      ...(status === null ? {} : { status }),
    });
    if (get().statusFilter !== status) return;
    if (result.ok) set({ certificates: result.value });
  },

  async loadExpiring(window = get().expiryWindow) {
    wire();
    set({ expiryWindow: window, expiring: null });
    const result = await call('pki:expiring', { withinDays: window });
    if (get().expiryWindow !== window) return;
    if (result.ok) set({ expiring: result.value });
  },

  async loadTrustAnchors() {
    wire();
    const result = await call('trust:list', {});
    if (result.ok) set({ trustAnchors: result.value });
  },

  async loadExceptions(includeRevoked = get().includeRevoked) {
    wire();
    set({ includeRevoked });
    const result = await call('provision:exceptions', { includeRevoked });
    if (get().includeRevoked !== includeRevoked) return;
    if (result.ok) set({ exceptions: exceptionOrder(result.value) });
  },

  documentException(subject) {
    wire();
    set({ exceptionSubject: subject, tab: 'exceptions' });
  },

  clearExceptionSubject() {
    set({ exceptionSubject: null });
  },

  reset() {
    set({ ...empty });
  },
}));
