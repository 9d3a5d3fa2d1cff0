import type { Migration } from '../../../common/db/migrate';
import m0001 from './0001-accounts-calls-settings';
import m0002 from './0002-ingest-callbacks';
import m0003 from './0003-kiosk-health';
import m0004 from './0004-releases-rollouts';
import m0005 from './0005-kiosk-keys';
import m0006 from './0006-roles-enrollment';
import m0007 from './0007-live-calls';
import m0008 from './0008-config-versions';

/**
 * The hub schema, one numbered file per step. Add a step as the next file and append it here (the
 * runner checks versions are contiguous); never edit a step that has shipped.
 */
export const migrations: Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008];
