// Builds the hub to plain JavaScript: `npx tsx scripts/build-hub.ts [outDir=dist/hub]`.
// The hub unit runs dist/hub/main.mjs with plain node. Starting from TypeScript with tsx compiles the
// whole server tree at every start (40 s on a loaded 2-core machine): while it compiles, a restarted
// hub answers no booth. The bundle holds server/, common/ and the JavaScript packages they import
// (fastify, pino, zod, ws, jose…): resolving and loading some 600 files from node_modules was a
// further 0.4 s of every start (1.6 → 1.2 s to listening, measured side by side). better-sqlite3
// stays outside (a native addon, loaded from node_modules at run time), so the release folder keeps
// node_modules beside dist/.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = resolve(import.meta.dirname, '..');

/** Bundles one entry (default server/main.ts) to an ES module; returns the output path. */
export async function buildHub(opts: { entry?: string; outfile?: string } = {}): Promise<string> {
  const entry = resolve(repo, opts.entry ?? 'server/main.ts');
  const outfile = resolve(repo, opts.outfile ?? 'dist/hub/main.mjs');
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Native: loaded from node_modules at run time.
    external: ['better-sqlite3'],
    // Bundled CommonJS packages call require() for Node's modules; an ES module has none of its own.
    banner: { js: "import { createRequire as __vgCreateRequire } from 'node:module'; const require = __vgCreateRequire(import.meta.url);" },
    // Whitespace and syntax only: names stay, so a stack trace in the journal still reads
    // (`createHub`, `HubSockets.received`). V8 parses the whole file at every start: the 3 MB bundle
    // took 3.4 s of a restart under load, most of it parsing.
    minifyWhitespace: true,
    minifySyntax: true,
    // The map is written for reading a stack trace by hand (`node --enable-source-maps` on a test
    // machine); the unit does not load it: parsing it cost 2.5 s of CPU at every start under load.
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    legalComments: 'none',
  });
  return outfile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outDir = resolve(repo, process.argv[2] ?? 'dist/hub');
  const t0 = performance.now();
  buildHub({ outfile: join(outDir, 'main.mjs') }).then(
    (out) => process.stdout.write(`hub built: ${relative(repo, out)} in ${((performance.now() - t0) / 1000).toFixed(1)} s (run: node ${relative(repo, out)})\n`),
    (err: unknown) => {
      process.stderr.write(`hub build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
