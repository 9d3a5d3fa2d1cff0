// simple-peer's package main needs Node's `global` and `process`, which a Vite build lacks; its
// prebuilt browserify bundle carries its own shims, so the renderer imports that file instead.
declare module 'simple-peer/simplepeer.min.js' {
  import type SimplePeer from 'simple-peer';
  const Peer: SimplePeer.SimplePeer;
  export default Peer;
}
