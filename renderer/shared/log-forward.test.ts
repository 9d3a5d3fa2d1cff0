import { describe, expect, it } from 'vitest';
import type { RendererLogLine } from '../../common/bridge/core';
import { describeArg, forwardRendererLogs } from './log-forward';

function fakeTarget() {
  const printed: unknown[][] = [];
  const listeners: Record<string, (e: Event) => void> = {};
  return {
    printed,
    fire: (type: string, e: unknown) => listeners[type]!(e as Event),
    target: {
      console: { warn: (...a: unknown[]) => void printed.push(a), error: (...a: unknown[]) => void printed.push(a) },
      addEventListener: (type: 'error' | 'unhandledrejection', fn: (e: Event) => void) => void (listeners[type] = fn),
    },
  };
}

describe('renderer logs to the journal', () => {
  it('forwards console warnings/errors and uncaught failures, strings and error messages only', () => {
    const sent: RendererLogLine[] = [];
    const t = fakeTarget();
    const undo = forwardRendererLogs((l) => sent.push(l), t.target);
    // A form's values sit in an object: it travels as its type name, never serialised.
    t.target.console.warn('[kiosk] callback not saved', { name: 'Zqxname Citoyen', phone: '514 555 0199' });
    t.target.console.error(new TypeError('x is undefined'));
    t.fire('error', { error: new RangeError('too deep'), message: 'Uncaught RangeError' });
    t.fire('unhandledrejection', { reason: 'bridge_closed' });
    expect(sent).toEqual([
      { level: 'warn', msg: '[kiosk] callback not saved [Object]', source: 'console' },
      { level: 'error', msg: 'TypeError: x is undefined', source: 'console' },
      { level: 'error', msg: 'RangeError: too deep', source: 'window.onerror' },
      { level: 'error', msg: 'bridge_closed', source: 'unhandledrejection' },
    ]);
    expect(t.printed).toHaveLength(2); // the page's own console still prints
    undo();
    t.target.console.warn('after');
    expect(sent).toHaveLength(4);
    expect(describeArg(null)).toBe('null');
  });

});
