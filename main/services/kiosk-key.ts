// The booth's credential: an Ed25519 key pair made on the booth at first start. The private key never
// leaves this file (mode 0600, in the kiosk data dir); the hub stores the public key (`tsx
// server/cli.ts kiosk add <id> --public-key <file>`) and the booth proves possession at each
// connection by signing the hub's one-time challenge (main/services/hub-link.ts).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { closeSync, chmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VisioError } from '../../common/result';
import type { Logger } from '../../common/log';
import { kioskHttpMessage, kioskHttpWindow, kioskKeyHeader } from '../../common/kiosk-auth';
import { kioskAuthHeader } from '../../common/outbox';

/** The key file exists but is not an Ed25519 private key: it is kept (the hub knows its public key) and a person must look. */
export class KioskKeyFileError extends VisioError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('kiosk_key_invalid', message, options);
  }
}

/** File names under the kiosk data dir. */
export const KIOSK_KEY_FILE = 'kiosk-key.pem';
export const KIOSK_PUBLIC_KEY_FILE = 'kiosk-key.pub.pem';

/** A loaded booth key: signs, and shows its public half for registration. */
export interface KioskKey {
  /** SPKI PEM of the public key (what the hub registers). */
  readonly publicKeyPem: string;
  /** SHA-256 of the SPKI DER, 16 hex: what the hub's CLI prints when registering, to compare. */
  readonly fingerprint: string;
  /** Ed25519 signature of `message` (UTF-8), base64url. */
  sign(message: string): string;
}

/**
 * Loads `<dir>/kiosk-key.pem`, creating it on first start (written to a temporary file with mode
 * 0600, synced, then renamed: a power cut never leaves half a key). Also (re)writes the public key
 * beside it for the technician. A key file readable by others is tightened to 0600 and logged.
 */
export function loadOrCreateKioskKey(dir: string, log?: Logger): KioskKey {
  const path = join(dir, KIOSK_KEY_FILE);
  let privateKey: KeyObject;
  let pem: string | undefined;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new KioskKeyFileError(`cannot read the booth key ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (pem === undefined) {
    privateKey = generateKeyPairSync('ed25519').privateKey;
    writeAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    log?.info({ path }, 'booth key pair created');
  } else {
    try {
      privateKey = createPrivateKey(pem);
    } catch (err) {
      throw new KioskKeyFileError(`the booth key ${path} is not a private key (${(err as Error).message}); move it aside to make a new one, then register the new public key at the hub`, { cause: err });
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new KioskKeyFileError(`the booth key ${path} is ${privateKey.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) {
      chmodSync(path, 0o600);
      log?.warn({ path, mode: mode.toString(8) }, 'booth key was readable by others; set to 0600');
    }
  }
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const fingerprint = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
  const pubPath = join(dir, KIOSK_PUBLIC_KEY_FILE);
  let shown: string | undefined;
  try {
    shown = readFileSync(pubPath, 'utf8');
  } catch {
    /* written below */
  }
  if (shown !== publicKeyPem) writeAtomic(pubPath, publicKeyPem, 0o644);
  return {
    publicKeyPem,
    fingerprint,
    sign: (message) => sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64url'),
  };
}

/**
 * The booth's HTTP `Authorization` value, computed per request: with a development `secret`, the
 * plain `Kiosk id:secret`; otherwise a `KioskKey` signature of the current time window (signed once
 * per window).
 */
export function kioskHttpAuthorization(kioskId: string, cred: { secret?: string; key?: Pick<KioskKey, 'sign'> }, now: () => number = Date.now): () => string {
  if (cred.secret !== undefined) {
    const header = kioskAuthHeader(kioskId, cred.secret);
    return () => header;
  }
  const key = cred.key;
  if (!key) throw new KioskKeyFileError('no booth key and no development secret: the booth cannot authenticate');
  let memo: { window: number; header: string } | undefined;
  return () => {
    const window = kioskHttpWindow(now());
    if (memo?.window !== window) memo = { window, header: kioskKeyHeader(kioskId, window, key.sign(kioskHttpMessage(kioskId, window))) };
    return memo.header;
  };
}

/** Writes a file so a power cut leaves the old one or the new one, never half (temp file, fsync, rename, fsync the dir). */
export function writeAtomic(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    unlinkSync(tmp); // left by a crash: never write a key into a file someone else may hold open
  } catch {
    /* none */
  }
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, mode); // the umask may have narrowed or the file pre-existed
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw err;
  }
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
