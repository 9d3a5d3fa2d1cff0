import type { Migration } from '../../../common/db/migrate';
import m0001 from './0001-outbox';

/** Kiosk outbox schema, one numbered file per step. Append new steps; never edit a shipped one. */
export const outboxMigrations: readonly Migration[] = [m0001];
