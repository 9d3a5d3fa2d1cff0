// @vitest-environment happy-dom
import { render } from 'preact';
import { signal } from '@preact/signals';
import { expect, test } from 'vitest';

test('TSX compiles with Preact and signals redraw what reads them', async () => {
  const n = signal(1);
  const root = document.createElement('div');
  render(<button data-testid="b">{n}</button>, root);
  expect(root.textContent).toBe('1');
  n.value = 2;
  await new Promise((r) => setTimeout(r, 0));
  expect(root.querySelector('[data-testid="b"]')?.textContent).toBe('2');
});
