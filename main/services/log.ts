// pino for the kiosk's Node processes (both runtimes): JSON lines on stderr, which journald keeps,
// one child logger per module. The interface is common/log.ts (the hub's fastify logger is pino too).
import pino from 'pino';
import type { Logger } from '../../common/log';

export { silentLogger, type Logger } from '../../common/log';

/**
 * Field names that may hold what a citizen typed (a whole outbox record, its name/phone/comment),
 * censored as a second line of defence behind "never log a record's content". A top-level `name` is
 * not among them: it names kiosks and devices.
 */
export const REDACTED_FIELDS = ['phone', 'comment', 'record', 'citizenName', 'data.name', 'data.phone', 'data.comment'];

/** JSON lines on stderr (synchronous: nothing lost at exit), tagged with a component name. */
export function consoleLogger(component: string, opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      base: { component },
      level: opts.level ?? process.env.VG_LOG_LEVEL ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_FIELDS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}
