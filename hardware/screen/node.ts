// Real exec/fs for screen detection (kept apart so tests never spawn processes).
import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import type { Exec, ScreenFs } from './screen';

export const nodeExec: Exec = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 5000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && code === 127 ? err.message : '')) });
    });
  });

export const nodeFs: ScreenFs = {
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, data) => writeFile(path, data),
  readdir: (path) => readdir(path),
};
