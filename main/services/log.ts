// A tiny structured logger interface so services log without choosing a backend (tests pass a
// silent or capturing one; the runtimes print JSON lines that journald keeps).

/** Where services write what happened; fields are small JSON-able values. */
export interface Logger {
  /** Normal operation worth keeping (connected, started). */
  info(msg: string, fields?: Record<string, unknown>): void;
  /** Something was dropped or retried; the kiosk keeps working. */
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** Something failed that a technician may need to look at. */
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** JSON lines on stderr, tagged with a component name. */
export function consoleLogger(component: string): Logger {
  const line = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level, component, msg, ...fields })}\n`);
  };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
