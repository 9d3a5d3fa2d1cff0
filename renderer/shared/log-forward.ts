// Sends the page's own warnings and errors to main's journal (bridge `log.report`): console.warn /
// console.error calls, uncaught errors and unhandled rejections. Only strings and error messages
// travel — objects are named by their type, never serialised — because a form's values must not
// end up in a log.
import type { RendererLogLine } from '../../common/bridge/core';

type Report = (line: RendererLogLine) => unknown;

/** Text of one console argument: strings as they are, errors by message, anything else by type. */
export function describeArg(a: unknown): string {
  if (typeof a === 'string') return a;
  if (a instanceof Error) return `${a.name}: ${a.message}`;
  if (a === null || a === undefined || typeof a === 'number' || typeof a === 'boolean') return String(a);
  return `[${(a as object).constructor?.name ?? typeof a}]`;
}

export interface ForwardTarget {
  console: Pick<Console, 'warn' | 'error'>;
  addEventListener(type: 'error' | 'unhandledrejection', fn: (e: Event) => void): void;
}

/** Installs the forwarding; returns the function that removes the console wrappers. */
export function forwardRendererLogs(report: Report, target: ForwardTarget): () => void {
  const { console: c } = target;
  const original = { warn: c.warn.bind(c), error: c.error.bind(c) };
  let inside = false;
  const send = (line: RendererLogLine) => {
    // A failing bridge must not log its own failure back into itself.
    if (inside) return;
    inside = true;
    try {
      void Promise.resolve(report(line)).catch(() => {});
    } finally {
      inside = false;
    }
  };
  c.warn = (...args: unknown[]) => {
    original.warn(...args);
    send({ level: 'warn', msg: args.map(describeArg).join(' '), source: 'console' });
  };
  c.error = (...args: unknown[]) => {
    original.error(...args);
    send({ level: 'error', msg: args.map(describeArg).join(' '), source: 'console' });
  };
  target.addEventListener('error', (e) => {
    const ev = e as ErrorEvent;
    send({ level: 'error', msg: ev.error instanceof Error ? describeArg(ev.error) : String(ev.message ?? 'error'), source: 'window.onerror' });
  });
  target.addEventListener('unhandledrejection', (e) => {
    send({ level: 'error', msg: describeArg((e as PromiseRejectionEvent).reason), source: 'unhandledrejection' });
  });
  return () => {
    c.warn = original.warn;
    c.error = original.error;
  };
}
