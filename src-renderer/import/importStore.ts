// The CSV import flow: stage a file, map its columns, validate, commit, report.
// Invariants: the flow acts on one staged file at a time; a staged file that was not committed
// is discarded in main when the flow is cancelled or closed; progress events for any other
// staged file are ignored; after a commit that wrote rows the inventory is reloaded.
import { create } from 'zustand';
import type {
  CanonicalField,
  ColumnMapping,
  ImportProgress,
  ImportReport,
  SavedMapping,
  StagedImport,
  WardkeepError,
} from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { useInventoryStore } from '../inventory/inventoryStore';
import { initialMapping, missingRequiredFields, restrictToHeaders, withField } from './mapping';

export type ImportStep = 'choose' | 'mapping' | 'preview' | 'committing' | 'report';

/** The largest file the contract lets through `imports:stage`, in characters. */
export const maximumFileCharacters = 256 * 1024 * 1024;

interface ImportState {
  open: boolean;
  step: ImportStep;
  /** A call is running: controls that would start another are disabled. */
  busy: boolean;
  fileName: string | null;
  staged: StagedImport | null;
  mapping: ColumnMapping;
  savedMappings: SavedMapping[];
  /** The saved mapping the current one started from, or null for the suggested one. */
  mappingSource: string | null;
  /** Confirmation after saving a mapping. */
  savedAs: string | null;
  validation: ImportReport | null;
  report: ImportReport | null;
  progress: ImportProgress | null;
  /** The failure to show inside the dialog, next to what caused it. */
  error: WardkeepError | null;
  /** An all-or-nothing import was refused: nothing was written. */
  refused: ImportReport | null;

  openDialog: () => void;
  stageFile: (file: File) => Promise<void>;
  setField: (field: CanonicalField, header: string | null) => void;
  applySavedMapping: (name: string | null) => void;
  saveMapping: (name: string) => Promise<void>;
  validate: () => Promise<void>;
  commit: (skipInvalid: boolean) => Promise<void>;
  backToMapping: () => void;
  /** Cancels or closes the flow, discarding an uncommitted staged file. */
  close: () => Promise<void>;
  onProgress: (progress: ImportProgress) => void;
  /** Forgets everything without calling main, as when the session ends. */
  reset: () => void;
}

const idle = {
  open: false,
  step: 'choose' as ImportStep,
  busy: false,
  fileName: null,
  staged: null,
  mapping: {},
  savedMappings: [],
  mappingSource: null,
  savedAs: null,
  validation: null,
  report: null,
  progress: null,
  error: null,
  refused: null,
};

const importErrors = [
  'import.invalid',
  'import.mapping',
  'import.unknown_staging',
  'ipc.payload',
] as const;

export const useImportStore = create<ImportState>()((set, get) => ({
  ...idle,

  openDialog() {
    set({ ...idle, open: true });
  },

  async stageFile(file) {
    if (get().busy) return;
    set({ busy: true, error: null, fileName: file.name, progress: null });
    // Strict UTF-8: a byte that is not text is refused, never silently replaced by U+FFFD.
    const content = await file
      .arrayBuffer()
      .then((bytes) => new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes))
      .catch((thrown: unknown) => {
        const message =
          thrown instanceof TypeError
            ? 'it is not UTF-8 text. Export it from the maintenance system as UTF-8 CSV'
            : thrown instanceof Error
              ? thrown.message
              : String(thrown);
        set({
          busy: false,
          error: { code: 'import.invalid', message: `${file.name} could not be read: ${message}.` },
        });
        return null;
      });
    if (content === null) return;
    if (content.length > maximumFileCharacters) {
      set({
        busy: false,
        error: {
          code: 'import.invalid',
          message: 'The file is larger than 256 MiB; split it first.',
        },
      });
      return;
    }
    const staged = await call(
      'imports:stage',
      { fileName: file.name.slice(0, 255), content },
      importErrors,
    );
    if (!get().open) {
      // Cancelled while staging: the staged copy is not wanted.
      if (staged.ok)
        void call('imports:discard', { stagingId: staged.value.stagingId }, importErrors);
      return;
    }
    if (!staged.ok) {
      set({ busy: false, error: staged.error });
      return;
    }
    const saved = await call('mappings:list', {});
    const savedMappings = saved.ok ? saved.value : [];
    const start = initialMapping(staged.value, savedMappings);
    set({
      busy: false,
      staged: staged.value,
      savedMappings,
      mapping: start.mapping,
      mappingSource: start.savedName,
      step: 'mapping',
    });
  },

  setField(field, header) {
    set({ mapping: withField(get().mapping, field, header), validation: null, savedAs: null });
  },

  applySavedMapping(name) {
    const { staged, savedMappings } = get();
    if (staged === null) return;
    const saved = savedMappings.find((entry) => entry.name === name);
    const mapping = saved ? saved.mapping : staged.suggestedMapping;
    set({
      mapping: restrictToHeaders(mapping, staged.headers),
      mappingSource: saved ? saved.name : null,
      validation: null,
      savedAs: null,
    });
  },

  async saveMapping(name) {
    const trimmed = name.trim();
    if (trimmed === '' || get().busy) return;
    set({ busy: true, error: null, savedAs: null });
    const { mapping } = get();
    const result = await call('mappings:save', { name: trimmed.slice(0, 100), mapping }, [
      'ipc.payload',
    ]);
    if (!result.ok) {
      set({ busy: false, error: result.error });
      return;
    }
    const saved = await call('mappings:list', {});
    set({
      busy: false,
      savedAs: trimmed,
      mappingSource: trimmed,
      savedMappings: saved.ok ? saved.value : get().savedMappings,
    });
  },

  async validate() {
    const { staged, mapping, busy } = get();
    if (staged === null || busy || missingRequiredFields(mapping).length > 0) return;
    set({ busy: true, error: null, refused: null, progress: null });
    const result = await call(
      'imports:validate',
      { stagingId: staged.stagingId, mapping },
      importErrors,
    );
    if (get().staged !== staged) return;
    if (!result.ok) {
      set({ busy: false, error: result.error });
      return;
    }
    set({ busy: false, validation: result.value, step: 'preview' });
  },

  async commit(skipInvalid) {
    const { staged, mapping, busy } = get();
    if (staged === null || busy) return;
    set({ busy: true, error: null, refused: null, progress: null, step: 'committing' });
    const result = await call(
      'imports:commit',
      { stagingId: staged.stagingId, mapping, skipInvalid },
      importErrors,
    );
    if (get().staged !== staged) return;
    if (result.ok && result.value.committed) {
      set({ busy: false, report: result.value, step: 'report' });
      useInventoryStore.getState().refresh();
      return;
    }
    if (result.ok) {
      set({ busy: false, refused: result.value, step: 'preview' });
      return;
    }
    if (result.error.code === 'import.invalid') {
      set({ busy: false, refused: get().validation, error: result.error, step: 'preview' });
      return;
    }
    set({ busy: false, error: result.error, step: 'preview' });
  },

  backToMapping() {
    if (get().busy) return;
    set({ step: 'mapping', validation: null, refused: null, error: null });
  },

  async close() {
    const { staged, report, step } = get();
    if (step === 'committing') return;
    set({ ...idle });
    if (staged !== null && report === null) {
      await call('imports:discard', { stagingId: staged.stagingId }, importErrors);
    }
  },

  onProgress(progress) {
    const { open, staged, busy, step } = get();
    if (!open) return;
    const awaitingStage = staged === null && busy && step === 'choose';
    if (awaitingStage || staged?.stagingId === progress.stagingId) set({ progress });
  },

  reset() {
    set({ ...idle });
  },
}));
