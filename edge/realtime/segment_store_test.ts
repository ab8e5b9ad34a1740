import { assertEquals } from "@shared/testing/asserts.ts";
import { type Segment, SegmentStore } from "./segment_store.ts";
import { MIN_COMMIT_SAMPLES, type RealtimeWire } from "./audio_chunks.ts";

/** A wire that writes down what would go on the socket, in order. */
function recordingWire(): { wire: RealtimeWire; sent: string[] } {
  const sent: string[] = [];
  let n = 0;
  return {
    sent,
    wire: {
      send: (event) => {
        const e = event as { type: string; event_id?: string };
        sent.push(
          `${e.type.replace("input_audio_buffer.", "")}${e.event_id ? `#${e.event_id}` : ""}`,
        );
        return true;
      },
      nextEventId: (kind) => `${kind}${++n}`,
      appendSamples: (samples) => void sent.push(`append:${samples.length}`),
    },
  };
}

function store(options: { maxHeldSegments?: number } = {}) {
  const { wire, sent } = recordingWire();
  const dropped: [string, string][] = [];
  const s = new SegmentStore({
    wire,
    tracer: () => {},
    batchSamples: 2400,
    ...options,
    onDropped: (seg, reason) => dropped.push([seg.id, reason]),
  });
  return { s, sent, dropped };
}

function speak(s: SegmentStore, id: string, samples: number): Segment {
  const seg = s.begin(id);
  s.addAudio(seg, new Int16Array(samples));
  s.end(performance.now());
  return seg;
}

Deno.test("SegmentStore pads a short segment to the least commit and removes an empty one", () => {
  const { s } = store();
  const short = speak(s, "a", 100);
  assertEquals([short.state, short.samples], ["ended", MIN_COMMIT_SAMPLES]);
  s.begin("b");
  const ended = s.end(1);
  assertEquals([ended?.seg.id, ended?.empty, s.count], ["b", true, 1]);
  assertEquals(s.end(2), undefined, "nothing open");
});

Deno.test("SegmentStore sends held segments whole and in order, and takes them back when the connection drops", () => {
  const { s, sent } = store();
  const a = speak(s, "a", 4800);
  const b = speak(s, "b", 3000);
  s.pump();
  assertEquals(sent, ["append:4800", "commit#commit1", "append:3000", "commit#commit2"]);
  // `committed` events name items; an unknown item is the oldest commit in flight.
  assertEquals(s.committedSegment("item_a")?.id, "a");
  s.markCommitted(a, "item_a");
  assertEquals([s.byItem("item_a")?.id, s.forCommit("commit2")?.id], ["a", "b"]);
  s.requeue();
  assertEquals([a.state, b.state, a.itemId, s.byItem("item_a")], [
    "ended",
    "ended",
    undefined,
    undefined,
  ]);
  assertEquals(s.endedCount(), 2);
  sent.length = 0;
  s.pump();
  assertEquals(sent, ["append:4800", "commit#commit3", "append:3000", "commit#commit4"]);
  s.remove(a);
  s.remove(b);
  assertEquals(s.isIdle(), true);
});

Deno.test("SegmentStore streams the open segment in batches and clears it from the buffer when abandoned", () => {
  const { s, sent } = store();
  const seg = s.begin("a");
  assertEquals(s.addAudio(seg, new Int16Array(1000)), true);
  s.sendAudio(seg, false);
  assertEquals(sent, [], "less than a batch waits");
  s.addAudio(seg, new Int16Array(2000));
  s.sendAudio(seg, false);
  assertEquals(sent, ["append:3000"]);
  assertEquals(s.bufferFree, false);
  assertEquals(s.abandon()?.id, "a");
  assertEquals(sent, ["append:3000", "clear#clear1"]);
  assertEquals([s.bufferFree, s.isIdle()], [true, true]);
});

Deno.test("SegmentStore drops the oldest waiting segment past its bound, never the open one", () => {
  const { s, dropped } = store({ maxHeldSegments: 2 });
  speak(s, "a", 2400);
  speak(s, "b", 2400);
  s.begin("c");
  assertEquals(dropped, [[
    "a",
    "dropped: more than 2 segments or 600000 ms of audio waiting for the Realtime API",
  ]]);
  assertEquals([s.count, s.open?.id], [2, "c"]);
});
