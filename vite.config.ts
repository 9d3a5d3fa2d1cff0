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
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        kiosk: resolve(import.meta.dirname, 'renderer/kiosk/index.html'),
        agent: resolve(import.meta.dirname, 'renderer/agent/index.html'),
      },
    },
  },
});
