// The callback form mounted on its own (no kiosk app around it): what the outbox E2E drives, and a
// way to embed the form elsewhere. The kiosk's callback screen renders <CallbackForm> directly.
import { h, render } from 'preact';
import { CallbackForm, type CallbackFormProps } from './callback-form';

export type CallbackFormOptions = CallbackFormProps;

export interface CallbackFormHandle {
  /** Unmounts the form; what was typed is dropped with its state. */
  destroy(): void;
}

/** Renders the form into `root` (its content is replaced). */
export function renderCallbackForm(root: HTMLElement, opts: CallbackFormOptions): CallbackFormHandle {
  render(h(CallbackForm, opts), root);
  return { destroy: () => render(null, root) };
}
