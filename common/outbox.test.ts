import { describe, expect, it } from 'vitest';
import { CallbackRecord, normalizeNaPhone, OutboxPutInput } from './outbox';

describe('normalizeNaPhone', () => {
  it.each([
    ['418 555-0123', '+14185550123'],
    ['(514) 555 0199', '+15145550199'],
    ['1-819-555-0142', '+18195550142'],
    ['+1 438.555.0100', '+14385550100'],
    ['4185550123', '+14185550123'],
  ])('accepts %s', (input, e164) => expect(normalizeNaPhone(input)).toBe(e164));

  it.each(['555-0123', '018 555 0123', '418 155 0123', '911', '418 911 0123', '411 555 0123', '+33 1 23 45 67 89', '41855501234', 'abc4185550123', ''])('refuses %s', (input) => expect(normalizeNaPhone(input)).toBeNull());
});

describe('record schemas', () => {
  it('normalise the phone and refuse unknown fields', () => {
    expect(CallbackRecord.parse({ name: ' Zoé ', phone: '418 555 0123', timeWindow: 'any', service: 'emploi', language: 'fr' })).toMatchObject({ name: 'Zoé', phone: '+14185550123' });
    expect(CallbackRecord.safeParse({ name: 'Zoé', phone: '418 555 0123', timeWindow: 'any', service: 'emploi', language: 'fr', email: 'x' }).success).toBe(false);
    expect(OutboxPutInput.safeParse({ kind: 'survey', record: { service: 'emploi', language: 'fr', rating: null } }).success).toBe(true);
    expect(OutboxPutInput.safeParse({ kind: 'survey', record: { service: 'emploi', language: 'fr', rating: 6 } }).success).toBe(false);
  });

  it('keep the language the citizen read the booth in (a callback in Arabic needs an interpreter), nothing else', () => {
    const cb = { name: 'Samira', phone: '514 555 0143', timeWindow: 'any', service: 'emploi' };
    expect(CallbackRecord.parse({ ...cb, language: 'ar' }).language).toBe('ar');
    expect(CallbackRecord.safeParse({ ...cb, language: 'xx' }).success).toBe(false);
    expect(OutboxPutInput.safeParse({ kind: 'visit', record: { service: 'emploi', language: 'zh', waitMs: 0, durationMs: 0, outcome: 'completed' } }).success).toBe(true);
  });
});
