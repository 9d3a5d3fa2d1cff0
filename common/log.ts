// The one logging interface of every process (kiosk main in both runtimes, the hub, hardware):
// pino's argument order, fields first and the message second, so the hub's fastify logger and the
// kiosk's services read the same. A line never carries what a citizen typed (name, phone, comment).

/** A log call: `log.info({ kioskId }, 'connected')` or `log.info('started')`. */
export interface LogFn {
  (fields: Record<string, unknown>, msg: string): void;
  (msg: string): void;
}

/** Where services write what happened; fields are small JSON-able values. */
export interface Logger {
  /** Normal operation worth keeping (connected, started). */
  info: LogFn;
  /** Something was dropped or retried; the kiosk keeps working. */
  warn: LogFn;
  /** Something failed that a technician may need to look at. */
  error: LogFn;
  /** A logger whose lines also carry these fields (e.g. `{ module: 'hub-link' }`). */
  child(bindings: Record<string, unknown>): Logger;
}

const nothing: LogFn = () => {};
export const silentLogger: Logger = { info: nothing, warn: nothing, error: nothing, child: () => silentLogger };

/** One line kept by a memoryLogger. */
export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps its lines (tests, and what a test asserts was or was not logged). */
export function memoryLogger(bindings: Record<string, unknown> = {}, lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at =
    (level: LogLine['level']): LogFn =>
    (a: Record<string, unknown> | string, b?: string) => {
      if (typeof a === 'string') lines.push({ level, msg: a, fields: { ...bindings } });
      else lines.push({ level, msg: b ?? '', fields: { ...bindings, ...a } });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), child: (more) => memoryLogger({ ...bindings, ...more }, lines) };
}
