import { defineConfig } from 'vite';
import { resolve } from 'node:path';

// The two renderers (kiosk screens, agent console) are built once into dist/renderer/{kiosk,agent}:
// the kiosk's shell (Electron custom protocol or the browser runtime) serves the first, the hub the second.
export default defineConfig({
  root: resolve(import.meta.dirname, 'renderer'),
  base: './',
  publicDir: resolve(import.meta.dirname, 'assets'),
  build: {
    outDir: resolve(import.meta.dirname, 'dist/renderer'),
    // Not emptied: a build while an E2E test serves dist/ must not pull files from under it (stale
    // hashed chunks are harmless; a fresh clone has none).
    emptyOutDir: false,
    target: 'es2022',
    rollupOptions: {
      input: {
        kiosk: resolve(import.meta.dirname, 'renderer/kiosk/index.html'),
        agent: resolve(import.meta.dirname, 'renderer/agent/index.html'),
      },
    },
  },
});
