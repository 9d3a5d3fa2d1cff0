// Before the session app starts: a booth without an identity shows its enrollment screen instead,
// and the page reloads when main says it is enrolled (the app then boots against the full kiosk).
// A booth revoked while its app runs reloads too, and lands back here.
import { render } from 'preact';
import type { BridgeApi } from '../../common/bridge/contract';
import type { EnrollState } from '../../common/enroll';
import { EnrollScreen } from './screens/enroll';
import './enroll.css';

/** True when the enrollment screen took the page (the caller does not start the app). */
export async function enrollGate(bridge: BridgeApi, root: HTMLElement, reload: () => void = () => window.location.reload()): Promise<boolean> {
  const st = await bridge.invoke('enroll.status');
  // A shell without enrollment (Electron entry, tests) answers feature_unavailable: the app runs.
  if (!st.ok) return false;
  if (st.value.state === 'enrolled') {
    bridge.on('enroll.state', (s) => s.state !== 'enrolled' && reload());
    return false;
  }
  document.body.dataset.state = 'enroll';
  const show = (s: EnrollState) => render(<EnrollScreen state={s} />, root);
  show(st.value);
  bridge.on('enroll.state', (s) => (s.state === 'enrolled' ? reload() : show(s)));
  return true;
}
