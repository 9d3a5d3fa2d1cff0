// Kiosk outbox: durable store-and-forward of what citizens leave and what the booth reports.
export { createOutbox, type Outbox, type OutboxOptions, type PendingItem } from './outbox';
export { createSender, type Sender, type SenderOptions, type SenderTimers } from './sender';
export { fileKeyProvider, safeStorageKeyProvider, type KeyProvider, type SafeStorageLike } from './crypto';
export { InvalidRecordError, OutboxClosedError, OutboxFullError, OutboxKeyError } from './errors';
export { outboxMigrations, type Recovery } from './db';
export { createUuidV7 } from './uuidv7';
export { outboxHandlers } from './bridge';
