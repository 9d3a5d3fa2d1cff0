// Child process for the crash-consistency test: enqueues records as fast as it can while the
// sender delivers to the hub, and prints `ok <id>` only after each put resolved (committed).
// The parent SIGKILLs it at random points. With DRAIN=1 it only delivers what is left, then exits.
import { createOutbox } from '../../main/outbox/outbox';
import { createSender } from '../../main/outbox/sender';
import { fileKeyProvider } from '../../main/outbox/crypto';
import type { OutboxKind } from '../../common/outbox';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`missing ${k}`);
  return v;
};

const key = await fileKeyProvider(env('OUTBOX_KEY')).getKey();
const outbox = createOutbox({ path: env('OUTBOX_DB'), key });
const sender = createSender({ outbox, hubUrl: env('HUB_URL'), kioskId: env('KIOSK_ID'), secret: env('KIOSK_SECRET'), batchRecords: 40, baseBackoffMs: 5, maxBackoffMs: 50, idleMs: 20 });
sender.start();

if (process.env.DRAIN === '1') {
  while (outbox.stats().depth > 0) await new Promise((r) => setTimeout(r, 10));
  await sender.stop();
  outbox.close();
  process.stdout.write('drained\n');
  process.exit(0);
}

process.stdout.write('ready\n');
const kinds: OutboxKind[] = ['callback', 'survey', 'visit', 'health', 'visit'];
for (let i = 0; ; i++) {
  const kind = kinds[i % kinds.length]!;
  const record =
    kind === 'callback' ? { name: `Crash Test ${i}`, phone: '418 555 0123', timeWindow: 'any', service: 'emploi', language: 'fr' }
    : kind === 'survey' ? { service: 'emploi', language: 'fr', rating: (i % 5) + 1 }
    : kind === 'visit' ? { service: 'emploi', language: 'en', waitMs: i, durationMs: 2 * i, outcome: 'completed' }
    : { metrics: { i, ok: true } };
  const { id } = await outbox.put(kind, record);
  process.stdout.write(`ok ${id}\n`); // pipes are synchronous on Linux: once written, the parent has it
  await new Promise((r) => setImmediate(r)); // let the sender run between puts
}
