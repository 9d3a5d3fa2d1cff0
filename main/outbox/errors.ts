import { VisioError } from '../../common/result';

/** The record failed its kind's schema; nothing was stored. */
export class InvalidRecordError extends VisioError {
  constructor(readonly kind: string, detail: string) {
    super('outbox_invalid_record', `Invalid ${kind} record: ${detail}`);
  }
}

/**
 * No room for a citizen's record even after dropping every telemetry row (or the disk is full):
 * the kiosk must tell the citizen it cannot take the request now.
 */
export class OutboxFullError extends VisioError {
  constructor(message = 'The outbox is full; new requests cannot be taken until the hub is reachable.', options?: { cause?: unknown }) {
    super('outbox_full', message, options);
  }
}

/** put() after close(). */
export class OutboxClosedError extends VisioError {
  constructor() {
    super('outbox_closed', 'The outbox is closed.');
  }
}

/** The encryption key file is unusable (wrong size, wrong permissions that cannot be fixed…). */
export class OutboxKeyError extends VisioError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('outbox_key', message, options);
  }
}
