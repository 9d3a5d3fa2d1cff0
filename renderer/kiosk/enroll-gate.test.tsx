// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { BridgeApi } from '../../common/bridge/contract';
import type { EnrollState } from '../../common/enroll';
import { enrollGate } from './enroll-gate';

function fakeBridge(status: { ok: true; value: EnrollState } | { ok: false; error: { code: string; message: string } }) {
  const listeners: ((s: EnrollState) => void)[] = [];
  const bridge = {
    invoke: vi.fn(async () => status),
    on: vi.fn((_event: string, l: (s: EnrollState) => void) => {
      listeners.push(l);
      return () => undefined;
    }),
  } as unknown as BridgeApi;
  return { bridge, emit: (s: EnrollState) => listeners.forEach((l) => l(s)) };
}

const code = (userCode: string, revoked = false): EnrollState => ({
  state: 'code', userCode, verifyUrl: `http://hub/console/#/enroll?code=${userCode}`, hubUrl: 'http://hub', expiresAt: Date.UTC(2026, 0, 1, 15, 0), fingerprint: '0123456789abcdef', revoked,
});

describe('kiosk enrollment gate', () => {
  it('a booth without identity shows its code and QR code, follows new codes, and reloads once enrolled', async () => {
    const root = document.createElement('main');
    const reload = vi.fn();
    const { bridge, emit } = fakeBridge({ ok: true, value: code('BCDF-GHJK') });
    expect(await enrollGate(bridge, root, reload)).toBe(true);
    expect(root.querySelector('[data-testid="enroll-user-code"]')?.textContent).toBe('BCDF-GHJK');
    expect(root.querySelector('[data-testid="enroll-qr"]')?.getAttribute('data-value')).toBe('http://hub/console/#/enroll?code=BCDF-GHJK');
    expect(root.querySelector('[data-testid="enroll-qr"] svg')).not.toBeNull();
    expect(root.querySelector('[data-testid="enroll-fingerprint"]')?.textContent).toContain('0123456789abcdef');
    expect(root.textContent).toContain("Ce visioguichet n'est pas encore en service");
    expect(root.textContent).toContain('This video booth is not in service yet');
    // The passer-by line in every screen language, each tagged with its language and direction.
    expect(root.querySelector('li[lang="ar"]')?.getAttribute('dir')).toBe('rtl');
    emit(code('LMNP-QRST', true));
    expect(root.querySelector('[data-testid="enroll-user-code"]')?.textContent).toBe('LMNP-QRST');
    expect(root.textContent).toContain('Ce visioguichet a été retiré du réseau');
    expect(reload).not.toHaveBeenCalled();
    emit({ state: 'enrolled', kioskId: 'qc-01' });
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('an enrolled booth runs the app and reloads when revoked; a shell without enrollment runs the app', async () => {
    const reload = vi.fn();
    const enrolled = fakeBridge({ ok: true, value: { state: 'enrolled', kioskId: 'qc-01' } });
    expect(await enrollGate(enrolled.bridge, document.createElement('main'), reload)).toBe(false);
    enrolled.emit({ state: 'enrolled', kioskId: 'qc-01' });
    expect(reload).not.toHaveBeenCalled();
    enrolled.emit(code('BCDF-GHJK', true));
    expect(reload).toHaveBeenCalledTimes(1);
    const none = fakeBridge({ ok: false, error: { code: 'feature_unavailable', message: 'no' } });
    expect(await enrollGate(none.bridge, document.createElement('main'), reload)).toBe(false);
  });
});
