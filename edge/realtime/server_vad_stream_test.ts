import { assertEquals } from "@shared/testing/asserts.ts";
import { ServerVadStream } from "./server_vad_stream.ts";
import { SegmentStore } from "./segment_store.ts";
import { MIN_COMMIT_SAMPLES, type RealtimeWire, SAMPLES_PER_MS } from "./audio_chunks.ts";

/** A stream and its store on a wire that writes down what would go on the socket. */
function rig() {
  const sent: string[] = [];
  let n = 0;
  const late: { stream?: ServerVadStream } = {};
  const wire: RealtimeWire = {
    send: (event) => {
      const e = event as { type: string };
      sent.push(e.type.replace("input_audio_buffer.", ""));
      return true;
    },
    nextEventId: (kind) => `${kind}${++n}`,
    appendSamples: (samples) => {
      sent.push(`append:${samples.length}`);
      late.stream!.counted(samples.length);
    },
  };
  const store = new SegmentStore({
    wire,
    tracer: () => {},
    batchSamples: 2400,
    onDropped: () => {},
  });
  const stream = late.stream = new ServerVadStream({
    wire,
    store,
    batchSamples: 2400,
    prefixPaddingMs: 100,
    setTurnDetection: (mode) => void sent.push(`vad:${mode}`),
  });
  return { sent, store, stream };
}

const ms = (n: number) => new Int16Array(n * SAMPLES_PER_MS);

Deno.test("ServerVadStream sends live audio in batches once ready", () => {
  const { sent, stream } = rig();
  stream.append(ms(50), true);
  assertEquals(sent, [], "half a batch waits");
  stream.append(ms(50), true);
  assertEquals(sent, [`append:${100 * SAMPLES_PER_MS}`]);
  stream.append(ms(500), false);
  assertEquals(sent.length, 1, "nothing goes out before the session is ready");
});

Deno.test("ServerVadStream keeps a committed turn's audio with its prefix, and replays it after a drop", () => {
  const { sent, store, stream } = rig();
  for (let i = 0; i < 10; i++) stream.append(ms(100), true); // 1 s on the provider's clock
  stream.speechStarted("u1", "item_1", 400);
  stream.speechStopped("item_1", 700, performance.now());
  const seg = store.committedSegment("item_1")!;
  stream.committed(seg);
  store.markCommitted(seg, "item_1");
  // 300 ms of speech and the 100 ms prefix before it.
  assertEquals(seg.samples, 400 * SAMPLES_PER_MS);
  // The connection drops before the transcript: the turn is re-sent with the provider's VAD
  // off, then the audio after it (300 ms) follows on the new session.
  store.requeue();
  stream.onLost();
  sent.length = 0;
  stream.onReady();
  assertEquals(sent, [
    "vad:client",
    `append:${400 * SAMPLES_PER_MS}`,
    "commit",
    "vad:server_vad",
    `append:${300 * SAMPLES_PER_MS}`,
  ]);
});

Deno.test("ServerVadStream pads a turn shorter than the least commit and drops an uncommitted one on a drop", () => {
  const { store, stream } = rig();
  stream.append(ms(200), true);
  stream.speechStarted("u1", "item_1", 20);
  stream.speechStopped("item_1", 40, performance.now());
  const short = store.committedSegment("item_1")!;
  stream.committed(short);
  store.markCommitted(short, "item_1");
  assertEquals(short.samples, MIN_COMMIT_SAMPLES);
  stream.speechStarted("u2", "item_2", 180);
  assertEquals(store.count, 2);
  stream.onLost();
  assertEquals(store.count, 1, "the open turn is heard again from the re-sent tail");
});
