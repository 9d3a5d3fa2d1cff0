// Hub side of signed updates: booths ask which release to run and download its bundle;
// admins add releases and drive the staged rollout. The hub only relays what release engineering
// signed: it verifies signatures with public keys and never holds a private key.
import { createReadStream, statSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseFrame } from '../../common/protocol';
import { SemVer, type UpdateOffer } from '../../common/update';
import type { HubPlugin, HubPluginContext } from '../hub';
import { ReleaseError, RolloutError, httpStatusOf } from './errors';
import { addReleaseManifest, bundleFile, removeBundle, storeBundle } from './releases';
import {
  advanceRollout, pauseRollout, resumeRollout, rollbackRollout, startRollout, targetFor, updatesStatus,
} from './rollout';
import { parseUpdateKey, type UpdateKey } from './signature';
import { getRelease, listReleases, recentAudit } from './store';
import type { Readable } from 'node:stream';

export const KIOSK_UPDATE_PATH = '/api/kiosk/update';
export const ADMIN_UPDATES_PATH = '/api/admin/updates';

/** How the updates plugin is set up. */
export interface UpdatesPluginOptions {
  /** Release-signing public keys (base64 of the raw 32 bytes, or PEM SPKI); none = every release is refused. */
  keys: readonly string[];
  /** Folder where bundles are stored (one sub-folder per version). */
  releasesDir: string;
  /** Base URL booths download bundles from (e.g. behind a proxy); default: the URL the booth called. */
  publicUrl?: string;
}

const AddReleaseBody = z.object({ manifest: z.string().min(2).max(64_000), signature: z.string().min(1).max(512) }).strict();
const StartBody = z
  .object({
    version: SemVer,
    pilots: z.array(z.string().min(1).max(64)).max(1000).optional(),
    percent: z.number().int().min(1).max(100).optional(),
    previous: SemVer.optional(),
    autoPauseAfter: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
const AdvanceBody = z.object({ percent: z.number().int().min(1).max(100).optional() }).strict();
const PauseBody = z.object({ reason: z.string().max(300).optional() }).strict();

/** Registers /api/kiosk/update, /api/kiosk/update/bundle/:version and /api/admin/updates/*. */
export function updatesPlugin(options: UpdatesPluginOptions): HubPlugin {
  // A bad key is a configuration error: refuse to start rather than refuse every release later.
  const keys: UpdateKey[] = options.keys.map((k, i) => {
    try {
      return parseUpdateKey(k);
    } catch (err) {
      if (err instanceof ReleaseError) throw new ReleaseError(err.code, `updateKeys[${i}]: ${err.message}`, { cause: err });
      throw err;
    }
  });
  return async (app, ctx) => {
    if (keys.length === 0) app.log.warn('updates: no release-signing key configured (updateKeys): every release will be refused');
    await app.register(async (scope) => routes(scope, ctx, keys, options));
  };
}

function routes(app: FastifyInstance, ctx: HubPluginContext, keys: readonly UpdateKey[], options: UpdatesPluginOptions): void {
  const { db } = ctx;
  // Bundles arrive as a raw stream (hundreds of MB): handed to the route unread, hashed on the way to disk.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  const refuse = (reply: FastifyReply, err: unknown) => {
    if (err instanceof ReleaseError || err instanceof RolloutError) return reply.code(httpStatusOf(err)).send({ code: err.code, message: err.message });
    throw err;
  };

  // ---- booths -------------------------------------------------------------------------------

  app.get(KIOSK_UPDATE_PATH, async (req, reply) => {
    const kiosk = await ctx.verifyKiosk(req.headers.authorization);
    if (!kiosk) return reply.code(401).send({ code: 'unauthorized', message: 'kiosk credentials required' });
    const rel = targetFor(db, kiosk.kioskId, ctx.now());
    if (!rel) return reply.code(204).send();
    const base = (options.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
    req.log.info({ kioskId: kiosk.kioskId, version: rel.version }, 'updates: release offered');
    const body: UpdateOffer = { manifest: rel.manifest, signature: rel.signature, bundleUrl: `${base}${KIOSK_UPDATE_PATH}/bundle/${encodeURIComponent(rel.version)}` };
    return body;
  });

  app.get<{ Params: { version: string } }>(`${KIOSK_UPDATE_PATH}/bundle/:version`, async (req, reply) => {
    const kiosk = await ctx.verifyKiosk(req.headers.authorization);
    if (!kiosk) return reply.code(401).send({ code: 'unauthorized', message: 'kiosk credentials required' });
    // Only a semantic version names a bundle: no path of any kind reaches the file system.
    const version = SemVer.safeParse(req.params.version);
    const rel = version.success ? getRelease(db, version.data) : undefined;
    if (!rel?.bundlePath) return reply.code(404).send({ code: 'not_found', message: 'no such release bundle' });
    const file = bundleFile(options.releasesDir, rel);
    let size: number;
    try {
      size = statSync(file).size;
    } catch (err) {
      req.log.error({ err, version: rel.version }, 'updates: stored bundle is missing');
      return reply.code(503).send({ code: 'bundle_missing', message: 'bundle file is missing at the hub' });
    }
    if (size !== rel.bundleSize) {
      req.log.error({ version: rel.version, size, expected: rel.bundleSize }, 'updates: stored bundle has the wrong size');
      return reply.code(503).send({ code: 'bundle_missing', message: 'bundle file at the hub is damaged' });
    }
    // One connection per bundle: the booth has every byte (Content-Length) slightly before the hub's
    // side of the response finishes, and a kept-alive socket caught in that instant holds a hub
    // shutdown for the whole keep-alive timeout.
    reply.header('connection', 'close').header('accept-ranges', 'bytes').type('application/gzip');
    // Office links drop: a booth resumes an interrupted download with `Range: bytes=<offset>-`.
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${size}`).send();
    req.log.info({ kioskId: kiosk.kioskId, version: rel.version, from: range?.start ?? 0 }, 'updates: bundle download');
    if (range) {
      return reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1)
        .send(createReadStream(file, { start: range.start, end: range.end }));
    }
    return reply.header('content-length', size).send(createReadStream(file));
  });

  // ---- administration (agent token + admin flag) ------------------------------------------------

  /** `agent:<username>` of an administrator, or null once 401/403 was sent (server/roles.ts). */
  async function adminOf(req: FastifyRequest, reply: FastifyReply): Promise<string | null> {
    const who = await ctx.requireRole(req, reply, ['administrator']);
    return who ? `agent:${who.username}` : null;
  }

  const body = <S extends z.ZodType>(schema: S, raw: unknown) => parseFrame(schema, raw ?? {});

  app.get(`${ADMIN_UPDATES_PATH}/status`, async (req, reply) => {
    if (!(await adminOf(req, reply))) return reply;
    return updatesStatus(db);
  });

  app.get<{ Querystring: { limit?: string } }>(`${ADMIN_UPDATES_PATH}/audit`, async (req, reply) => {
    if (!(await adminOf(req, reply))) return reply;
    const limit = Math.min(Math.max(Number.parseInt(req.query.limit ?? '100', 10) || 100, 1), 1000);
    return { entries: recentAudit(db, limit) };
  });

  app.get(`${ADMIN_UPDATES_PATH}/releases`, async (req, reply) => {
    if (!(await adminOf(req, reply))) return reply;
    return { releases: listReleases(db).map(({ manifest: _m, signature: _s, ...r }) => r) };
  });

  app.post(`${ADMIN_UPDATES_PATH}/releases`, async (req, reply) => {
    const actor = await adminOf(req, reply);
    if (!actor) return reply;
    const parsed = body(AddReleaseBody, req.body);
    if (!parsed.ok) return reply.code(400).send({ code: 'invalid_message', message: parsed.error });
    try {
      const rel = addReleaseManifest(db, { manifest: parsed.value.manifest, signature: parsed.value.signature, keys, actor, now: ctx.now() });
      req.log.info({ actor, version: rel.version, keyId: rel.keyId }, 'updates: release manifest accepted');
      return reply.code(rel.bundlePath ? 200 : 201).send({ version: rel.version, keyId: rel.keyId, bundleStored: rel.bundlePath !== null, bundleUpload: `${ADMIN_UPDATES_PATH}/releases/${rel.version}/bundle` });
    } catch (err) {
      if (err instanceof ReleaseError) req.log.warn({ actor, code: err.code, message: err.message }, 'updates: release refused');
      return refuse(reply, err);
    }
  });

  app.put<{ Params: { version: string } }>(`${ADMIN_UPDATES_PATH}/releases/:version/bundle`, async (req, reply) => {
    const actor = await adminOf(req, reply);
    if (!actor) return reply;
    const version = SemVer.safeParse(req.params.version);
    if (!version.success) return reply.code(400).send({ code: 'invalid_message', message: 'not a semantic version' });
    const source = req.body as Readable | undefined;
    if (!source || typeof (source as Partial<Readable>).pipe !== 'function') return reply.code(415).send({ code: 'invalid_message', message: 'send the bundle as application/octet-stream' });
    try {
      const rel = await storeBundle(db, { releasesDir: options.releasesDir, version: version.data, source, actor, now: ctx.now });
      req.log.info({ actor, version: rel.version }, 'updates: bundle stored');
      return { version: rel.version, bundleStored: true, size: rel.bundleSize, sha256: rel.bundleSha256 };
    } catch (err) {
      if (err instanceof ReleaseError) req.log.warn({ actor, code: err.code, message: err.message }, 'updates: bundle refused');
      // The client may still be sending: close the connection after answering rather than read it all.
      if (err instanceof ReleaseError) reply.header('connection', 'close');
      return refuse(reply, err);
    }
  });

  app.delete<{ Params: { version: string } }>(`${ADMIN_UPDATES_PATH}/releases/:version/bundle`, async (req, reply) => {
    const actor = await adminOf(req, reply);
    if (!actor) return reply;
    try {
      const rel = removeBundle(db, { releasesDir: options.releasesDir, version: req.params.version, actor, now: ctx.now() });
      req.log.info({ actor, version: rel.version }, 'updates: bundle removed');
      return { version: rel.version, bundleStored: false };
    } catch (err) {
      return refuse(reply, err);
    }
  });

  const command = (path: string, run: (actor: string, raw: unknown) => unknown) =>
    app.post(`${ADMIN_UPDATES_PATH}/rollout${path}`, async (req, reply) => {
      const actor = await adminOf(req, reply);
      if (!actor) return reply;
      try {
        const out = run(actor, req.body);
        req.log.info({ actor, command: `rollout${path}` }, 'updates: rollout command');
        return out;
      } catch (err) {
        if (err instanceof BadBody) return reply.code(400).send({ code: 'invalid_message', message: err.message });
        return refuse(reply, err);
      }
    });
  const parseOr = <S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> => {
    const p = body(schema, raw);
    if (!p.ok) throw new BadBody(p.error);
    return p.value;
  };

  command('', (actor, raw) => {
    const b = parseOr(StartBody, raw);
    return { rollout: startRollout(db, b, actor, ctx.now()) };
  });
  command('/advance', (actor, raw) => ({ rollout: advanceRollout(db, parseOr(AdvanceBody, raw), actor, ctx.now()) }));
  command('/pause', (actor, raw) => ({ rollout: pauseRollout(db, parseOr(PauseBody, raw).reason, actor, ctx.now()) }));
  command('/resume', (actor, raw) => {
    parseOr(z.object({}).strict(), raw);
    return { rollout: resumeRollout(db, actor, ctx.now()) };
  });
  command('/rollback', (actor, raw) => {
    parseOr(z.object({}).strict(), raw);
    return { rollout: rollbackRollout(db, actor, ctx.now()) };
  });
}

class BadBody extends Error {}

/**
 * One `bytes=a-b`, `bytes=a-` or `bytes=-n` range (RFC 9110) within `size`; null = send it all
 * (no header, several ranges, another unit), 'unsatisfiable' = answer 416.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
