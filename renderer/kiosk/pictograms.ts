// Pictograms (assets/pictograms/*.svg) inlined at build time, so they inherit the text colour and
// need no network or file access at run time.
const files = import.meta.glob('../../assets/pictograms/*.svg', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const byName = new Map(Object.entries(files).map(([path, svg]) => [path.replace(/^.*\/(.*)\.svg$/, '$1'), svg]));

/** Markup of pictogram `name`, falling back to `info` (a configured service may name an unknown icon). */
export function pictogram(name: string): string {
  return byName.get(name) ?? byName.get('info') ?? '';
}

/** Names of all available pictograms. */
export const pictogramNames = (): string[] => [...byName.keys()].sort();
