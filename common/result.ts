/** Values that cross a boundary (bridge, hub): never thrown strings (Signal's pattern). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** A stable machine-readable code plus an English message for logs (UI text comes from i18n). */
export interface ErrorInfo {
  code: string;
  message: string;
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: string, message: string): Result<never> => ({ ok: false, error: { code, message } });

/** Base of every named error: a stable `code` that tests, logs and the UI catalog key on. */
export class VisioError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Turns anything thrown into an ErrorInfo without leaking stack traces across a boundary. */
export function toErrorInfo(err: unknown, fallbackCode = 'internal'): ErrorInfo {
  if (err instanceof VisioError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: fallbackCode, message: err.message };
  return { code: fallbackCode, message: String(err) };
}
