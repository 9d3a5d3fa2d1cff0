import { VisioError } from '../common/result';
import type { HubErrorCode } from '../common/protocol';

/** A refusal the hub reports to a client as an `error` frame or HTTP status; `code` is a protocol HubErrorCode. */
export class HubError extends VisioError {
  constructor(
    override readonly code: HubErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Bad credentials (password, token, kiosk secret) or a frame sent before authenticating. */
export class UnauthorizedError extends HubError {
  constructor(message = 'not authenticated') {
    super('unauthorized', message);
  }
}

/** Authenticated, but this party may not do that (e.g. signal in a call it is not part of). */
export class ForbiddenError extends HubError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** The call (or account) named in the request does not exist (any more). */
export class NotFoundError extends HubError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** The request clashes with the current state (a second call from the same kiosk, a duplicate username…). */
export class ConflictError extends HubError {
  constructor(message: string) {
    super('conflict', message);
  }
}
