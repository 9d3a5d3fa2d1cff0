import type { z } from 'zod';

/** One request/response channel: zod tuple of arguments and zod result (validated in main). */
export interface CallSpec<A extends z.ZodTuple = z.ZodTuple, R extends z.ZodType = z.ZodType> {
  args: A;
  result: R;
}
export type CallSpecs = Record<string, CallSpec>;
/** Events flow main → renderer; payload is a zod tuple. */
export type EventSpecs = Record<string, z.ZodTuple>;

export const call = <A extends z.ZodTuple, R extends z.ZodType>(args: A, result: R): CallSpec<A, R> => ({ args, result });
