// A tiny virtual DOM: screens are pure functions returning plain objects (testable in Node without
// a DOM), and `mount` turns them into elements. No diffing: a screen is rebuilt when what it shows
// changes, and the few elements that must survive a rebuild (the <video>s) are kept by test id.

type AttrValue = string | number | boolean | null | undefined;

/** One element of a screen. */
export interface VNode {
  /** Tag name ('svg' nodes carry their markup in `svg`). */
  tag: string;
  /** Attributes; false/null/undefined are left out, true gives an empty attribute. */
  attrs: Record<string, AttrValue>;
  /** DOM event listeners (click, input…). */
  on: Record<string, (ev: Event) => void>;
  /** Child nodes and text. */
  children: Child[];
  /** Called with the created element; may return a cleanup run when the screen is replaced. */
  ref?: (el: Element) => void | (() => void);
  /** Raw SVG markup of an inline pictogram (build-time asset, never citizen input). */
  svg?: string;
  /** Reuse the existing element with the same data-testid across rebuilds (media elements). */
  keep?: boolean;
}
export type Child = VNode | string | number | null | undefined | false;

/** Props accepted by `h`: attributes plus `on`, `ref` and `keep`. */
export interface Props {
  /** DOM event listeners. */
  on?: Record<string, (ev: Event) => void>;
  /** Element callback (see VNode.ref). */
  ref?: VNode['ref'];
  /** Keep the element across rebuilds (see VNode.keep). */
  keep?: boolean;
  [attr: string]: AttrValue | Record<string, (ev: Event) => void> | VNode['ref'];
}

/** Builds a VNode: `h('button', { 'data-testid': 'x', on: { click } }, 'Label')`. */
export function h(tag: string, props: Props | null = null, ...children: (Child | Child[])[]): VNode {
  const { on = {}, ref, keep, ...attrs } = props ?? {};
  const node: VNode = { tag, attrs: attrs as Record<string, AttrValue>, on, children: children.flat() };
  if (ref) node.ref = ref;
  if (keep) node.keep = true;
  return node;
}

/** Every node of a tree, depth first (tests and focus restoration). */
export function* walk(node: Child): Generator<VNode> {
  if (!node || typeof node !== 'object') return;
  yield node;
  for (const c of node.children) yield* walk(c);
}

/** All text of a tree, in order. */
export function textOf(node: Child): string[] {
  if (node === null || node === undefined || node === false) return [];
  if (typeof node !== 'object') return [String(node)];
  return node.children.flatMap(textOf);
}

/** The node with `data-testid` = id, if any. */
export function byTestId(root: VNode, id: string): VNode | undefined {
  for (const n of walk(root)) if (n.attrs['data-testid'] === id) return n;
  return undefined;
}

/** A mounted tree: `dispose` runs ref cleanups (meters, timers) and empties the container. */
export interface Mounted {
  /** Runs every cleanup; idempotent. */
  dispose(): void;
}

/**
 * Renders `node` into `container`, replacing its content. `kept` holds elements to reuse across
 * rebuilds (keyed by data-testid); the caller clears it on reset.
 */
export function mount(container: Element, node: VNode, kept: Map<string, Element> = new Map()): Mounted {
  const doc = container.ownerDocument;
  const cleanups: (() => void)[] = [];
  const build = (n: Child): Node | null => {
    if (n === null || n === undefined || n === false) return null;
    if (typeof n !== 'object') return doc.createTextNode(String(n));
    const id = n.attrs['data-testid'];
    const reused = n.keep && typeof id === 'string' ? kept.get(id) : undefined;
    let el: Element;
    if (n.svg !== undefined) {
      const parsed = new DOMParser().parseFromString(n.svg, 'image/svg+xml').documentElement;
      el = doc.importNode(parsed, true);
    } else el = reused ?? doc.createElement(n.tag);
    for (const [k, v] of Object.entries(n.attrs)) {
      if (v === false || v === null || v === undefined) el.removeAttribute(k);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    if (!reused) {
      for (const [type, fn] of Object.entries(n.on)) el.addEventListener(type, fn);
      for (const c of n.children) {
        const child = build(c);
        if (child) el.appendChild(child);
      }
      if (n.keep && typeof id === 'string') kept.set(id, el);
    }
    if (n.ref) {
      const cleanup = n.ref(el);
      if (cleanup) cleanups.push(cleanup);
    }
    return el;
  };
  const root = build(node);
  container.replaceChildren(...(root ? [root] : []));
  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const c of cleanups.splice(0)) {
        try {
          c();
        } catch {
          // a failing cleanup must not keep the others (media meters) running
        }
      }
    },
  };
}
