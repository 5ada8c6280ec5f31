// Builds the three processes into out/: main and preload as CommonJS (a sandboxed preload cannot
// be ESM), the renderer as static files served from the app's own protocol.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src-main/app/main.ts'),
          // The `wardkeep` command line, runnable with plain Node (it never imports electron).
          cli: resolve(__dirname, 'src-main/cli/main.ts'),
          // The worker thread that checks an import's rows while the main thread writes them;
          // import-source.ts loads it from beside the bundle that starts it.
          'import-worker': resolve(__dirname, 'src-main/inventory/import-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can only require('electron'): zod and the contract are bundled in.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src-renderer/index.html') },
      },
    },
  },
});
