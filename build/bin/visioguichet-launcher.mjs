// Start bookkeeping for the stable launcher (build/bin/visioguichet-kiosk). Plain Node, no
// dependency and nothing from a release: it must work even when the release it starts cannot.
// Reads and writes the same state.json as main/update/layout.ts (schema 1; keep both in step).
// Prints two lines on stdout — the version to run and its entry script — and logs JSON lines on
// stderr (journald). Exit 1 (systemd retries) when there is no release to start at all.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import process from 'node:process';

const root = process.env.VG_ROOT ?? '/opt/visioguichet';
const stateDir = process.env.VG_UPDATE_STATE_DIR ?? '/var/lib/visioguichet/update';
const maxStarts = Number(process.env.VG_UPDATE_MAX_STARTS ?? 3);
const stateFile = join(stateDir, 'state.json');
const currentLink = join(root, 'current');

const log = (level, msg, fields = {}) => process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level, component: 'launcher', msg, ...fields })}\n`);
const isDir = (p) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

function readState() {
  let text;
  try {
    text = readFileSync(stateFile, 'utf8');
  } catch {
    return null;
  }
  try {
    const s = JSON.parse(text);
    if (s && s.schema === 1 && Array.isArray(s.rejected)) return s;
    log('error', 'update state.json has an unknown shape; left alone', { stateFile });
  } catch (err) {
    log('error', 'update state.json is not JSON; left alone', { stateFile, err: String(err) });
  }
  return null;
}

function writeState(s) {
  const tmp = `${stateFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeFileSync(fd, `${JSON.stringify(s, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, stateFile);
}

function switchCurrent(version) {
  const tmp = join(root, `.current.${process.pid}.${randomBytes(4).toString('hex')}`);
  symlinkSync(join('releases', version), tmp);
  try {
    renameSync(tmp, currentLink);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  const fd = openSync(root, 'r');
  try {
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic
  } finally {
    closeSync(fd);
  }
}

let version;
try {
  version = basename(readlinkSync(currentLink));
} catch (err) {
  log('error', 'no release to start: the current link is missing', { currentLink, err: String(err) });
  process.exit(1);
}

// Bookkeeping must never stop the booth from starting: on any error here, log it and start `current`.
try {
  bookkeeping();
} catch (err) {
  log('error', 'update bookkeeping failed; starting the current release as it is', { err: String(err) });
}

function bookkeeping() {
  const state = readState();
  const p = state?.pending;
  if (state && p) {
    const now = Date.now();
    if (p.to !== version) {
      log('warn', 'stale pending update cleared (current is not its target)', { pending: p, current: version });
      state.pending = null;
      writeState(state);
    } else {
      p.starts = (Number(p.starts) || 0) + 1;
      let code = null;
      let why = '';
      if (p.starts > maxStarts) {
        code = 'crashed_on_start';
        why = `${p.to} started ${p.starts - 1} times without becoming healthy`;
      } else if (now > p.deadline) {
        code = 'health_timeout';
        why = `${p.to} was not healthy by its probation deadline`;
      }
      if (code && isDir(join(root, 'releases', p.from))) {
        switchCurrent(p.from);
        log('error', 'update rolled back by the launcher', { from: p.to, to: p.from, code, why });
        state.pending = null;
        state.last = { current: p.from, target: p.to, state: 'rolled_back', error: { code, message: why }, at: now };
        state.rejected = [...state.rejected.filter((v) => v !== p.to), p.to].slice(-100);
        version = p.from;
      } else if (code) {
        log('error', 'rollback impossible: the previous release is gone; staying on the new one', { from: p.from, code, why });
        state.pending = null;
        state.last = { current: p.to, target: p.to, state: 'failed', error: { code, message: `${why}; previous release ${p.from} is missing` }, at: now };
      } else {
        log('info', 'starting a release on probation', { version, start: p.starts, maxStarts, deadlineInMs: p.deadline - now });
      }
      writeState(state);
    }
  }
}

process.stdout.write(`${version}\n${join(root, 'releases', version, 'dist', 'runtime', 'entry.mjs')}\n`);
