// A two-finger pinch on a touch screen, as Chromium receives it (DevTools Input.dispatchTouchEvent:
// two touch points moving apart), and the page's visual zoom. `send` is any DevTools session on the
// page: Playwright's CDPSession, or main's own pipe with a session id.
export type DevtoolsSend = (method: string, params?: Record<string, unknown>) => Promise<unknown>;

/** Spreads two fingers from 100 px to 500 px apart around (x, y): a zoom in of about 3x. */
export async function pinchOpen(send: DevtoolsSend, x = 640, y = 400): Promise<void> {
  const fingers = (apart: number) => [
    { x: x - apart / 2, y, id: 0 },
    { x: x + apart / 2, y, id: 1 },
  ];
  await send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(100) });
  for (let apart = 140; apart <= 500; apart += 40) await send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(apart) });
  await send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** The page's visual viewport scale (1 = not zoomed), read through DevTools. */
export async function visualScale(send: DevtoolsSend): Promise<number> {
  const r = (await send('Runtime.evaluate', { expression: 'visualViewport.scale', returnByValue: true })) as { result: { value: number } };
  return r.result.value;
}
