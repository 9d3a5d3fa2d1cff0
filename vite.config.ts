import { defineConfig } from 'vite';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Plugin } from 'vite';

// Spoken prompts and sounds (scripts/voice.ts): brought up to date before the bundle reads
// assets/voice/manifest.json. Only changed texts are re-spoken, so an unchanged tree costs ~1 s.
const voice: Plugin = {
  name: 'voice',
  apply: 'build',
  buildStart() {
    const r = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'scripts/voice.ts')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('spoken prompts: scripts/voice.ts failed (its message is above)');
  },
};

// The two renderers (kiosk screens, agent console) are built once into dist/renderer/{kiosk,agent}:
// the kiosk's shell (Electron custom protocol or the browser runtime) serves the first, the hub the second.
export default defineConfig({
  root: resolve(import.meta.dirname, 'renderer'),
  base: './',
  publicDir: resolve(import.meta.dirname, 'assets'),
  plugins: [voice],
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
        console: resolve(import.meta.dirname, 'renderer/console/index.html'),
      },
    },
  },
});
