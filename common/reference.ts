// Short reference numbers a citizen takes away ("K7F-3QM"): derived from an id the system already
// keeps (the hub's call id after a call, the outbox record id of a callback request), so whoever
// holds the record can find it by computing the same reference. Six characters from an alphabet
// without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G), read out over the phone without doubt.

export const REFERENCE_ALPHABET = 'ACDEFHJKMNPQRTUVWXY3479';
const LENGTH = 6;

/** FNV-1a, 32 bits, over UTF-16 code units; two seeds give the 2×32 bits the six letters need. */
function fnv1a(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The reference of `id`, formatted `XXX-XXX`. Stable: the same id always gives the same reference. */
export function referenceOf(id: string): string {
  if (!id) throw new Error('referenceOf: empty id');
  // 23^6 ≈ 1.5e8 references: collisions are rare in one office's records, and the id disambiguates.
  let n = BigInt(fnv1a(id, 0x811c9dc5)) * 0x100000000n + BigInt(fnv1a(id, 0x050c5d1f));
  const base = BigInt(REFERENCE_ALPHABET.length);
  let out = '';
  for (let i = 0; i < LENGTH; i++) {
    out += REFERENCE_ALPHABET[Number(n % base)];
    n /= base;
  }
  return `${out.slice(0, 3)}-${out.slice(3)}`;
}

/** True for something shaped like a reference (a typed one may omit the dash or be lower case). */
export const isReference = (s: string): boolean => new RegExp(`^[${REFERENCE_ALPHABET}]{3}-?[${REFERENCE_ALPHABET}]{3}$`).test(s.toUpperCase());
