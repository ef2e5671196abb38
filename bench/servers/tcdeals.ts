/** The server under test, as a child process: tcdeals on the benchmark database, no rate limit, silent. */
import { createServer } from '../../src/server.js';
import { Store } from '../../src/store/store.js';

const db = process.argv[2]!;
const store = await Store.open(db);
const app = await createServer({ store, rateLimit: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
process.on('SIGTERM', () => void app.close().then(() => store.close()).then(() => process.exit(0)));
