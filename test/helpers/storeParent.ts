/**
 * The parent process in test/local/embeddedStore.test.ts: starts the embedded store, prints its JVM's pid and
 * endpoint as one JSON line, and aborts (no exit handler runs) on any line from stdin.
 */
import { startEmbeddedStore } from '../../functions/local/embeddedStore';

const store = await startEmbeddedStore();
process.stdout.write(`${JSON.stringify({ pid: store.pid, endpoint: store.endpoint })}\n`);
process.stdin.once('data', () => process.abort());
// the test runner is gone: do not linger
process.stdin.once('end', () => process.exit(1));
