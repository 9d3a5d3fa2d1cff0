import type { BridgeHandlers } from '../../common/bridge/contract';
import type { Outbox } from './outbox';

/** The outbox section of the main-side bridge handlers; spread into the shell's handler table. */
export function outboxHandlers(outbox: Outbox): Pick<BridgeHandlers, 'outbox.put' | 'outbox.stats'> {
  return {
    // Resolves after the commit, so the screen may say "Votre demande est enregistrée".
    'outbox.put': (input) => outbox.put(input.kind, input.record),
    'outbox.stats': () => outbox.stats(),
  };
}
