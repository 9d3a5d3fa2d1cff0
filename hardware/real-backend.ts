// Entry point for composers outside hardware/ (main/compose.ts): the layering lint forbids them any
// import path containing "node-hid", which includes this layer's own adapter file.
export { createNodeHidBackend } from './hid/node-hid';
