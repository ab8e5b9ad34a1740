/**
 * @module
 * Test helper process: opens an outbox, enqueues the utterances given as arguments while the
 * gateway is unreachable, reports once they are on disk, then waits to be killed (a crash).
 *
 * Usage: deno run -A _crash_child.ts DATA_DIR GATEWAY_URL TEXT...
 */
import { Outbox } from "./outbox.ts";

const [dataDir, gatewayUrl, ...texts] = Deno.args;
const outbox = await Outbox.open({
  dataDir: dataDir!,
  gatewayUrl: gatewayUrl!,
  retry: { baseDelayMs: 50, maxDelayMs: 100 },
  tracer: () => {},
});
outbox.start();
const ids = texts.map((text, i) => {
  const utterance_id = `crash-${i}-${Date.now().toString(36)}`;
  outbox.enqueue({ utterance_id, text });
  return utterance_id;
});
await outbox.flushWrites();
console.log(JSON.stringify({ persisted: ids }));
// Keep retrying against the dead gateway until the parent kills this process.
await new Promise(() => {});
