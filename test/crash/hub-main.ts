// Starts a loopback test hub (ingest plugin, one kiosk, two agents) in its own process and prints
// its coordinates as one JSON line; used by the outbox benchmark so the kiosk's RSS is its own.
import { startTestHub } from './hub-fixture';

const hub = await startTestHub(process.argv[2] ?? ':memory:');
process.stdout.write(`${JSON.stringify({ url: hub.url, kioskId: hub.kioskId, secret: hub.secret })}\n`);
const stop = () => void hub.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
