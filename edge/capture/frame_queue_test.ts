import { assertEquals } from "@shared/testing/asserts.ts";
import { FrameQueue } from "./frame_queue.ts";
import type { Frame } from "./framer.ts";

const frame = (index: number): Frame => ({ samples: new Int16Array(320), t_ms: index * 20, index });

Deno.test("FrameQueue(drop) never blocks the reader and counts dropped frames", async () => {
  const q = new FrameQueue({ policy: "drop", capacity: 3 });
  for (let i = 0; i < 10; i++) await q.push(frame(i)); // no consumer: must not block
  q.end();
  const got: number[] = [];
  for await (const f of q) got.push(f.index);
  assertEquals(got, [7, 8, 9]);
  assertEquals(q.dropped, 7);
});

Deno.test("FrameQueue(block) loses nothing: the reader waits for the consumer", async () => {
  const q = new FrameQueue({ policy: "block", capacity: 2 });
  const producer = (async () => {
    for (let i = 0; i < 20; i++) await q.push(frame(i));
    q.end();
  })();
  const got: number[] = [];
  for await (const f of q) got.push(f.index);
  await producer;
  assertEquals(got, Array.from({ length: 20 }, (_, i) => i));
  assertEquals(q.dropped, 0);
});

Deno.test("FrameQueue paces a burst into steady frames", async () => {
  let now = 1000;
  const waits: number[] = [];
  const q = new FrameQueue({
    policy: "block",
    capacity: 100,
    paceMs: 20,
    now: () => now,
    sleep: (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
  });
  for (let i = 0; i < 5; i++) await q.push(frame(i)); // one 100 ms burst
  q.end();
  const releasedAt: number[] = [];
  for await (const _ of q) releasedAt.push(now - 1000);
  assertEquals(releasedAt, [0, 20, 40, 60, 80]);
  assertEquals(waits, [20, 20, 20, 20]);
});

Deno.test("FrameQueue.stop() discards paced frames and lets a blocked reader go", async () => {
  let now = 0;
  const q = new FrameQueue({
    policy: "block",
    capacity: 5,
    paceMs: 20,
    now: () => now,
    sleep: (ms) => {
      now += ms;
      if (now >= 40) q.stop(); // stopped while the third frame waits for its time
      return Promise.resolve();
    },
  });
  let pushed = 0;
  const producer = (async () => {
    for (let i = 0; i < 50; i++) {
      await q.push(frame(i));
      pushed++;
    }
  })();
  const got: number[] = [];
  for await (const f of q) got.push(f.index);
  await producer; // not left waiting for room
  assertEquals(got, [0, 1]);
  assertEquals(q.size, 0);
  await q.push(frame(99));
  assertEquals(q.size, 0, "pushes after stop() are ignored");
  assertEquals(pushed, 50);
});
