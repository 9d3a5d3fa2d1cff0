import type { Migration, MigratableDb } from '../../../common/db/migrate';

/**
 * Booth key pairs and a cheap check for the development secret (server/auth/kiosk-keys.ts):
 * `public_key` is the booth's Ed25519 public key (SPKI PEM); a key-only kiosk has no secret
 * (`secret_hash` '!', which never verifies). `secret_digest` is SHA-256 of a generated kiosk secret,
 * written after its first successful scrypt check, so reconnects after a hub restart cost a hash
 * instead of an scrypt (the secrets are 192 random bits: a fast hash does not weaken them).
 */
function up(db: MigratableDb): void {
  db.exec(`
    ALTER TABLE kiosks ADD COLUMN public_key TEXT;
    ALTER TABLE kiosks ADD COLUMN secret_digest TEXT;
  `);
}

export default { version: 5, name: 'kiosk keys', up } satisfies Migration;
