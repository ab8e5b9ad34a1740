import { assertEquals } from "@shared/testing/asserts.ts";
import { DuplexGate } from "./duplex_gate.ts";

Deno.test("DuplexGate drops segments that start while the edge speaks or within the tail", () => {
  const gate = new DuplexGate({ tailMs: 400 });
  assertEquals(gate.segmentStarted(0), "pass");
  assertEquals(gate.segmentPasses, true);
  assertEquals(gate.segmentEnded(), true);
  gate.playbackStarted();
  assertEquals(gate.closed(1000), true);
  assertEquals(gate.segmentStarted(1000), "drop");
  assertEquals(gate.segmentPasses, false);
  // Playback ends while the echo's segment is still open: it stays dropped to its end.
  gate.playbackEnded(1500);
  assertEquals(gate.segmentPasses, false);
  assertEquals(gate.segmentEnded(), false);
  // Within the tail: still the edge's voice.
  assertEquals(gate.segmentStarted(1899), "drop");
  gate.segmentEnded();
  assertEquals(gate.closed(1900), false);
  assertEquals(gate.segmentStarted(1900), "pass");
  assertEquals(gate.segmentEnded(), true);
  assertEquals(gate.stats, { passed: 2, dropped: 2, bargeIns: 0 });
  assertEquals(gate.segmentEnded(), false, "no segment open");
});

Deno.test("DuplexGate lets a segment that started first pass when the edge speaks over it", () => {
  const gate = new DuplexGate();
  assertEquals(gate.segmentStarted(0), "pass");
  gate.playbackStarted();
  assertEquals(gate.segmentPasses, true);
  assertEquals(gate.segmentEnded(), true);
});

Deno.test("DuplexGate stays closed while any of overlapping sounds plays", () => {
  const gate = new DuplexGate({ tailMs: 0 });
  gate.playbackStarted();
  gate.playbackStarted();
  gate.playbackEnded(10);
  assertEquals(gate.closed(20), true);
  gate.playbackEnded(30);
  assertEquals(gate.closed(30), false);
  assertEquals(gate.framePasses(30), true);
  gate.playbackEnded(40); // an extra end is harmless
  assertEquals(gate.closed(40), false);
});

Deno.test("DuplexGate with barge-in: speech during playback stops it and passes; the tail alone still drops", () => {
  const gate = new DuplexGate({ bargeIn: true, tailMs: 400 });
  gate.playbackStarted();
  assertEquals(gate.framePasses(5), false);
  assertEquals(gate.segmentStarted(5), "barge_in");
  assertEquals(gate.segmentPasses, true);
  gate.playbackEnded(6);
  assertEquals(gate.segmentEnded(), true);
  assertEquals(gate.segmentStarted(100), "drop");
  assertEquals(gate.stats, { passed: 1, dropped: 1, bargeIns: 1 });
});
