import { VisioError } from '../../common/result';

/** Why the hub refused a release (stable codes; the first four are the booth's own update codes). */
export type ReleaseErrorCode =
  | 'signature_invalid'
  | 'manifest_invalid'
  | 'bundle_hash_mismatch'
  | 'bundle_too_large'
  | 'no_update_keys'
  | 'release_exists'
  | 'release_unknown'
  | 'bundle_missing'
  | 'disk_full'
  | 'release_in_use';

/** A release the hub will not store or serve: unsigned, tampered, malformed, duplicate… */
export class ReleaseError extends VisioError {
  constructor(
    override readonly code: ReleaseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Why a rollout command was refused (stable codes). */
export type RolloutErrorCode =
  | 'no_rollout'
  | 'rollout_active'
  | 'rollout_finished'
  | 'rollout_paused'
  | 'rollout_not_paused'
  | 'no_pilots'
  | 'unknown_kiosk'
  | 'no_previous'
  | 'invalid_percent'
  | 'same_version';

/** A rollout command that does not fit the current state (or bad arguments to it). */
export class RolloutError extends VisioError {
  constructor(
    override readonly code: RolloutErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

/** HTTP status for a release / rollout refusal. */
export function httpStatusOf(err: ReleaseError | RolloutError): number {
  const code: ReleaseErrorCode | RolloutErrorCode = err.code;
  switch (code) {
    case 'signature_invalid':
    case 'manifest_invalid':
    case 'bundle_hash_mismatch':
    case 'invalid_percent':
    case 'unknown_kiosk':
    case 'no_pilots':
    case 'same_version':
      return 400;
    case 'bundle_too_large':
      return 413;
    case 'release_unknown':
    case 'no_rollout':
      return 404;
    case 'no_update_keys':
      return 503;
    case 'disk_full':
      return 507;
    case 'release_exists':
    case 'release_in_use':
    case 'bundle_missing':
    case 'rollout_active':
    case 'rollout_finished':
    case 'rollout_paused':
    case 'rollout_not_paused':
    case 'no_previous':
      return 409;
    default: {
      const never: never = code;
      return never;
    }
  }
}
