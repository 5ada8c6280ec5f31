// Importing observed flows: choose a file (read as text in the window), send it all-or-nothing;
// when main reports invalid lines, show them and let the user import only the valid ones; after
// an import, reload the map and its findings.
// Invariants: the file's text is kept only while the dialog is open (for the second call) and is
// never put in React state; the second call sends exactly the text main reported on; nothing is
// written until main says committed; closing the dialog or the session ending forgets the file.
import { create } from 'zustand';
import type { WardkeepError } from '../../src-preload/contract';
import type { FlowFileFormat } from '../../src-preload/network/model';
import { call } from '../api/wardkeep';
import { onSessionEnd } from '../session/sessionStore';
import { flowFileTooLarge } from './flowImport';
import { useNetworkStore } from './networkStore';
import type { FlowImportReport } from './types';

export type FlowImportStep = 'choose' | 'reading' | 'importing' | 'report';

interface FlowImportState {
  open: boolean;
  step: FlowImportStep;
  fileName: string | null;
  /** null: main detects the format from the first line. */
  format: FlowFileFormat | null;
  error: WardkeepError | null;
  /** Main's answer: a refusal to show, or what was imported. */
  report: FlowImportReport | null;

  openDialog: () => void;
  close: () => void;
  chooseFile: (file: File | null) => void;
  setFormat: (format: FlowFileFormat | null) => void;
  /** Reads the chosen file and imports it all-or-nothing. */
  importFile: () => Promise<void>;
  /** After a refusal for invalid lines: imports the valid lines of the same text. */
  importValidLines: () => Promise<void>;
  /** Back to choosing a file, as after a refusal the user will fix at the source. */
  chooseAnother: () => void;
  reset: () => void;
}

const initial = {
  open: false,
  step: 'choose' as FlowImportStep,
  fileName: null,
  format: null,
  error: null,
  report: null,
};

export const useFlowImportStore = create<FlowImportState>()((set, get) => {
  let file: File | null = null;
  let content: string | null = null;
  /** Bumped when the dialog closes: an answer to an earlier dialog changes nothing. */
  let generation = 0;

  async function send(importValidLines: boolean): Promise<void> {
    const { fileName, format } = get();
    if (content === null || fileName === null) return;
    const mine = generation;
    set({ step: 'importing', error: null });
    const result = await call(
      'flows:import',
      { fileName, content, importValidLines, ...(format === null ? {} : { format }) },
      ['flows.invalid', 'input.invalid'],
    );
    if (mine !== generation) return;
    if (!result.ok) {
      set({ step: importValidLines ? 'report' : 'choose', error: result.error });
      return;
    }
    set({ step: 'report', report: result.value });
    if (result.value.committed) {
      content = null;
      await useNetworkStore.getState().load();
    }
  }

  return {
    ...initial,

    openDialog() {
      generation += 1;
      file = null;
      content = null;
      set({ ...initial, open: true });
    },
    close() {
      generation += 1;
      file = null;
      content = null;
      set(initial);
    },
    chooseFile(chosen) {
      file = chosen;
      content = null;
      set({ fileName: chosen?.name ?? null, error: null, report: null });
    },
    setFormat(format) {
      content = null;
      set({ format });
    },
    async importFile() {
      const chosen = file;
      if (chosen === null) return;
      const tooLarge = flowFileTooLarge(chosen.name, chosen.size);
      if (tooLarge !== null) {
        set({ error: { code: 'input.invalid', message: tooLarge } });
        return;
      }
      const mine = generation;
      set({ step: 'reading', error: null, report: null });
      let text: string;
      try {
        text = await chosen.text();
      } catch (thrown) {
        if (mine !== generation) return;
        const reason = thrown instanceof Error ? thrown.message : String(thrown);
        set({
          step: 'choose',
          error: { code: 'input.invalid', message: `${chosen.name} could not be read: ${reason}` },
        });
        return;
      }
      if (mine !== generation) return;
      content = text;
      await send(false);
    },
    async importValidLines() {
      await send(true);
    },
    chooseAnother() {
      file = null;
      content = null;
      set({ step: 'choose', fileName: null, report: null, error: null });
    },
    reset() {
      generation += 1;
      file = null;
      content = null;
      set(initial);
    },
  };
});

onSessionEnd(() => useFlowImportStore.getState().reset());
