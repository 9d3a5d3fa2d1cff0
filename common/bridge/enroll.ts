import { z } from 'zod';
import { EnrollState } from '../enroll';
import { call } from './define';

export const enrollCalls = {
  /** Whether the booth has its identity at the hub, or the code it shows while it waits for a technician (common/enroll.ts). */
  'enroll.status': call(z.tuple([]), EnrollState),
};

export const enrollEvents = {
  /** Main's enrollment state changed: a new code, enrolled (the visit screens start), or revoked (back to a code). */
  'enroll.state': z.tuple([EnrollState]),
};
