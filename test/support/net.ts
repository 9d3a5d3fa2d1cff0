import { createServer } from 'node:net';

/** A loopback TCP port free right now (the caller binds it next; a race with another process is possible but harmless in tests). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}
