// Vite's client types: import.meta.glob (optional callbacks panel) and CSS imports.
/// <reference types="vite/client" />
