// Lint = the layering rule (docs/ARCHITECTURE.md "Boundaries"): which folder may import what.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'events', 'url', 'util', 'stream', 'worker_threads'];
const pattern = (group, message) => ({ group, message });
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const noElectron = pattern(['electron', 'electron/*'], 'Only main/electron/** and preload/** may import electron.');
const noHid = pattern(['node-hid', 'usb'], 'Only hardware/** may import node-hid / usb.');
const noSqlite = pattern(['better-sqlite3'], 'Only the outbox/db modules (main/outbox/**, server/db/**) may import better-sqlite3.');

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['common/**'],
    rules: restrict(
      pattern(nodeBuiltins, 'common/ is pure: no Node built-ins.'),
      noElectron, noHid, noSqlite,
      pattern(['**/main/**', '**/renderer/**', '**/hardware/**', '**/server/**', '**/preload/**', 'ws', 'fastify', 'simple-peer'], 'common/ imports nothing from other layers.'),
    ),
  },
  {
    files: ['renderer/**'],
    rules: restrict(
      pattern(nodeBuiltins, 'The renderer is sandboxed: no Node built-ins.'),
      noElectron, noHid, noSqlite,
      pattern(['**/main/**', '**/hardware/**', '**/server/**', '**/preload/**', 'ws', 'fastify'], 'renderer/ imports common/ only.'),
    ),
  },
  {
    files: ['server/**'],
    ignores: ['server/db/**'],
    rules: restrict(noElectron, noHid, noSqlite,
      pattern(['**/main/**', '**/renderer/**', '**/hardware/**', '**/preload/**'], 'server/ never imports main/, renderer/ or hardware/.')),
  },
  {
    files: ['server/db/**'],
    rules: restrict(noElectron, noHid,
      pattern(['**/main/**', '**/renderer/**', '**/hardware/**', '**/preload/**'], 'server/ never imports main/, renderer/ or hardware/.')),
  },
  {
    files: ['main/**'],
    ignores: ['main/electron/**', 'main/outbox/**'],
    rules: restrict(noElectron, noHid, noSqlite, pattern(['**/renderer/**', '**/server/**'], 'main/ talks to the renderer through the bridge and to the hub through the protocol.')),
  },
  {
    files: ['main/outbox/**'],
    rules: restrict(noElectron, noHid, pattern(['**/renderer/**', '**/server/**'], 'main/ talks to the hub through the protocol.')),
  },
  {
    files: ['main/electron/**'],
    rules: restrict(noHid, noSqlite, pattern(['**/renderer/**', '**/server/**'], 'main/ talks to the hub through the protocol.')),
  },
  {
    files: ['hardware/**'],
    rules: restrict(noElectron, noSqlite, pattern(['**/main/**', '**/renderer/**', '**/server/**', '**/preload/**'], 'hardware/ is a leaf layer: it imports common/ only.')),
  },
  {
    files: ['preload/**'],
    rules: restrict(noHid, noSqlite, pattern(['**/main/**', '**/renderer/**', '**/server/**', '**/hardware/**'], 'preload/ only exposes the bridge contract from common/.')),
  },
);
