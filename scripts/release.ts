// Release engineering, offline (main/update/README.md):
//   npx tsx scripts/release.ts keygen <private-key-file>
//       new Ed25519 key pair: the private key (PKCS#8 PEM, mode 0600, refused if the file exists),
//       the public key printed as base64 of its raw 32 bytes (put it in the kiosk config updates.keys)
//   npx tsx scripts/release.ts pack <releaseDir> <outDir> --version V [--runtime browser-linux-x64]
//                                   [--min-version V] [--notes TEXT]
//       visioguichet-V.tar.gz (GNU tar, pax format, sorted, owner 0) + manifest.json (unsigned)
//   npx tsx scripts/release.ts sign <manifest.json> --key <private-key-file>
//       manifest.json.sig: base64 Ed25519 signature over the manifest's exact bytes
//   npx tsx scripts/release.ts verify <manifest.json> --pub <base64 key>
//       checks a signature the way a booth does (exit 1 if refused)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import type { ReleaseManifest, UpdateRuntime } from '../common/update';
import { ReleaseManifest as ManifestSchema, SemVer, UpdateRuntime as RuntimeSchema } from '../common/update';
import { generateReleaseKeys, publicKeyOfPrivate, signDetached } from '../main/update/keys';
import { verifyManifest } from '../main/update/verify';

const run = promisify(execFile);

export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of createReadStream(path)) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

/** Writes a new private key file (0600; never overwrites) and returns the public key (base64 raw). */
export async function keygen(privateKeyFile: string): Promise<string> {
  const { privatePem, publicKey } = generateReleaseKeys();
  await writeFile(privateKeyFile, privatePem, { mode: 0o600, flag: 'wx' });
  return publicKey;
}

export interface PackOptions {
  version: string;
  runtime?: UpdateRuntime;
  minVersion?: string;
  notes?: string;
  /** Fixed release time (tests, reproducible builds); default now. */
  releasedAt?: Date;
}

/** Packs one release directory (its package.json must carry `version`) and writes an unsigned manifest.json beside the bundle. */
export async function packRelease(releaseDir: string, outDir: string, o: PackOptions): Promise<{ bundle: string; manifestPath: string; manifestText: string; manifest: ReleaseManifest }> {
  const version = SemVer.parse(o.version);
  const pkg = JSON.parse(await readFile(join(releaseDir, 'package.json'), 'utf8')) as { version?: unknown };
  if (pkg.version !== version) throw new Error(`${releaseDir}/package.json says version ${String(pkg.version)}, not ${version}`);
  await mkdir(outDir, { recursive: true });
  const bundle = resolve(outDir, `visioguichet-${version}.tar.gz`);
  const mtime = Math.floor((o.releasedAt ?? new Date()).getTime() / 1000);
  await run('tar', ['--format=posix', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${mtime}`, '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '-C', releaseDir, '-czf', bundle, '.'], { maxBuffer: 16 * 1024 * 1024 });
  const { sha256, size } = await sha256File(bundle);
  const manifest = ManifestSchema.parse({
    schema: 1,
    product: 'visioguichet-kiosk',
    version,
    releasedAt: (o.releasedAt ?? new Date()).toISOString(),
    runtime: RuntimeSchema.parse(o.runtime ?? 'browser-linux-x64'),
    bundle: { url: basename(bundle), size, sha256 },
    ...(o.minVersion ? { minVersion: SemVer.parse(o.minVersion) } : {}),
    ...(o.notes ? { notes: o.notes } : {}),
  });
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const manifestPath = join(outDir, 'manifest.json');
  await writeFile(manifestPath, manifestText);
  return { bundle, manifestPath, manifestText, manifest };
}

/** Signs the manifest file's exact bytes; writes `<manifest>.sig` and returns the signature. */
export async function signManifestFile(manifestPath: string, privateKeyFile: string): Promise<string> {
  const bytes = await readFile(manifestPath);
  const pem = await readFile(privateKeyFile, 'utf8');
  const sig = signDetached(pem, bytes);
  await writeFile(`${manifestPath}.sig`, `${sig}\n`);
  return sig;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { version: { type: 'string' }, runtime: { type: 'string' }, 'min-version': { type: 'string' }, notes: { type: 'string' }, key: { type: 'string' }, pub: { type: 'string', multiple: true } },
  });
  switch (cmd) {
    case 'keygen': {
      const file = positionals[0];
      if (!file) throw new Error('usage: keygen <private-key-file>');
      const pub = await keygen(file);
      process.stdout.write(`private key written to ${file} (mode 0600; keep it offline)\npublic key (kiosk config updates.keys):\n${pub}\n`);
      return 0;
    }
    case 'pack': {
      const [dir, out] = positionals;
      if (!dir || !out || !values.version) throw new Error('usage: pack <releaseDir> <outDir> --version V [--runtime R] [--min-version V] [--notes T]');
      const r = await packRelease(dir, out, {
        version: values.version,
        ...(values.runtime ? { runtime: RuntimeSchema.parse(values.runtime) } : {}),
        ...(values['min-version'] ? { minVersion: values['min-version'] } : {}),
        ...(values.notes ? { notes: values.notes } : {}),
      });
      process.stdout.write(`${r.bundle} (${r.manifest.bundle.size} bytes, sha256 ${r.manifest.bundle.sha256})\n${r.manifestPath} (unsigned: run sign)\n`);
      return 0;
    }
    case 'sign': {
      const [manifest] = positionals;
      if (!manifest || !values.key) throw new Error('usage: sign <manifest.json> --key <private-key-file>');
      await signManifestFile(manifest, values.key);
      const pem = await readFile(values.key, 'utf8');
      process.stdout.write(`${manifest}.sig written (key ${publicKeyOfPrivate(pem)})\n`);
      return 0;
    }
    case 'verify': {
      const [manifest] = positionals;
      if (!manifest || !values.pub?.length) throw new Error('usage: verify <manifest.json> --pub <base64 key> [--pub …]');
      const text = await readFile(manifest, 'utf8');
      const sig = await readFile(`${manifest}.sig`, 'utf8').catch(() => '');
      const r = verifyManifest(text, sig, values.pub);
      if (!r.ok) {
        process.stderr.write(`REFUSED (${r.error.code}): ${r.error.message}\n`);
        return 1;
      }
      const bundle = join(manifest, '..', r.manifest.bundle.url);
      const s = await stat(bundle).catch(() => null);
      const h = s ? await sha256File(bundle) : null;
      const bundleOk = h?.sha256 === r.manifest.bundle.sha256 && h.size === r.manifest.bundle.size;
      process.stdout.write(`signature valid (key #${r.keyIndex}); version ${r.manifest.version}; bundle ${s ? (bundleOk ? 'matches' : 'DOES NOT MATCH') : 'not found beside the manifest'}\n`);
      return s && !bundleOk ? 1 : 0;
    }
    default:
      process.stderr.write('usage: release.ts keygen <key> | pack <dir> <out> --version V | sign <manifest> --key <key> | verify <manifest> --pub <key>\n');
      return 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/release.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`release: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
