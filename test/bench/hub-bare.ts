// The anchor of the hub benchmark: a bare `ws` server that speaks just enough of the booth's
// handshake (challenge, then welcome, with no signature check, no database, no dispatcher) for the
// same swarm of real hub links to connect to it. Whatever the hub costs above this is the hub's.
// Run by test/bench/hub.bench.ts: `node --import tsx test/bench/hub-bare.ts <port>`.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import { installMemoryProbe } from './memory-probe';

export { collections, installMemoryProbe } from './memory-probe';

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) serveBare(Number(process.argv[2] ?? 0));

function serveBare(port: number): void {
  installMemoryProbe();
  const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws', maxPayload: 128 * 1024, backlog: 4096 });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"kiosk.hello"')) ws.send(JSON.stringify({ type: 'kiosk.challenge', v: 1, nonce: randomBytes(32).toString('base64url') }));
      else if (text.includes('"kiosk.prove"')) ws.send(JSON.stringify({ type: 'welcome', v: 1, role: 'kiosk', name: 'bare', iceServers: [] }));
    });
    ws.on('error', () => {});
  });
  wss.on('listening', () => process.stdout.write(`bare ws listening on ${port}\n`));
}
