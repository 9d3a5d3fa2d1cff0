import type { UpdateErrorCode } from '../../common/update';
import { VisioError } from '../../common/result';

/** Any refused or failed update step; `code` is one of the contract's stable codes (common/update.ts). */
export class UpdateError extends VisioError {
  declare readonly code: UpdateErrorCode;
  constructor(code: UpdateErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Node's "no space left" family, so a full disk reports `disk_full` rather than a generic failure. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
