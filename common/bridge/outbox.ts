import { z } from 'zod';
import { OutboxKind, OutboxPutInput } from '../outbox';
import { call } from './define';

/** Outcome of the last delivery attempt to the hub. */
export const LastSync = z.object({
  at: z.number(),
  ok: z.boolean(),
  /** Records the hub acknowledged in that attempt. */
  acked: z.number().int(),
  /** Records the hub refused for good in that attempt. */
  rejected: z.number().int(),
  /** Stable error code when ok is false (`hub_unreachable`, `hub_http_503`, `unauthorized`…). */
  error: z.string().optional(),
});
export type LastSync = z.infer<typeof LastSync>;

/** Outbox figures for kiosk health and the technician screen. */
export const OutboxStats = z.object({
  /** Records waiting for the hub. */
  depth: z.number().int(),
  byKind: z.record(OutboxKind, z.number().int()),
  /** Created-at of the oldest undelivered record (ms epoch), null when empty. */
  oldestPendingAt: z.number().nullable(),
  oldestAgeMs: z.number().nullable(),
  /** Records the hub refused for good (kept for a technician until retention). */
  rejected: z.number().int(),
  /** Logical bytes held, against the cap. */
  bytes: z.number().int(),
  capBytes: z.number().int(),
  /** True when a new citizen record would be refused (the kiosk must not offer callbacks). */
  full: z.boolean(),
  lastSync: LastSync.nullable(),
  /** What happened at start-up: `corrupt` / `newer` when the previous file was moved aside. */
  recovered: z.object({ reason: z.enum(['corrupt', 'newer']), movedTo: z.string() }).nullable(),
});
export type OutboxStats = z.infer<typeof OutboxStats>;

export const outboxCalls = {
  /** Store a record durably; resolves (with its idempotency key) only after the commit. Fails with `outbox_full` / `outbox_invalid_record`. */
  'outbox.put': call(z.tuple([OutboxPutInput]), z.object({ id: z.string() })),
  /** Outbox depth, oldest undelivered age, last sync result. */
  'outbox.stats': call(z.tuple([]), OutboxStats),
};
