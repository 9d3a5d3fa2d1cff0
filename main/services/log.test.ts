import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { consoleLogger } from './log';

describe('consoleLogger (pino)', () => {
  it('writes one JSON line per call, fields first then message, module from the child, citizen fields redacted', () => {
    const out: string[] = [];
    const destination = new Writable({ write: (chunk, _e, done) => (out.push(String(chunk)), done()) });
    const log = consoleLogger('kiosk', { destination }).child({ module: 'outbox' });
    log.warn({ kioskId: 'qc-1', name: 'Kiosque 1', phone: '514 555 0199', record: { name: 'Zqx Citoyen' } }, 'put refused');
    log.info('started');
    const [a, b] = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).toMatchObject({ level: 'warn', component: 'kiosk', module: 'outbox', kioskId: 'qc-1', name: 'Kiosque 1', phone: '[redacted]', record: '[redacted]', msg: 'put refused' });
    expect(out.join('')).not.toContain('Zqx');
    expect(out.join('')).not.toContain('0199');
    expect(b).toMatchObject({ level: 'info', module: 'outbox', msg: 'started' });
  });
});
