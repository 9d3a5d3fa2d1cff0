// Vite's client types: `import.meta.glob` (inline pictograms) and CSS imports.
/// <reference types="vite/client" />
