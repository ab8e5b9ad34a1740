import { assert, assertEquals } from "@shared/testing/asserts.ts";
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

Deno.test("FrameQueue(drop) without a pacer hands each live burst over whole, as it arrives", async () => {
  // A clock that only the queue's own waits move: any pacing would show as a wait.
  let now = 1000;
  const waits: number[] = [];
  const q = new FrameQueue({
    policy: "drop",
    capacity: 50,
    now: () => now,
    sleep: (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
  });
  const withSamples = (index: number): Frame => ({
    samples: Int16Array.from({ length: 320 }, (_, i) => index * 320 + i - 8000),
    t_ms: 5000 + index * 20,
    index,
  });
  // Bursts of 3, 2 and 3 frames (a sound server's 50 ms fragments); the next burst is pushed
  // only once the consumer has had every frame of the one before, without time moving on.
  const bursts = [[0, 1, 2], [3, 4], [5, 6, 7]];
  let burst = 0;
  const pushBurst = async () => {
    for (const i of bursts[burst++]!) await q.push(withSamples(i));
    if (burst === bursts.length) q.end();
  };
  await pushBurst();
  const got: Frame[] = [];
  const sizes: number[] = [];
  for await (const f of q) {
    got.push(f);
    sizes.push(q.size);
    if (q.size === 0 && burst < bursts.length) await pushBurst();
  }
  assertEquals(waits, []);
  assertEquals(now, 1000);
  assertEquals(got.map((f) => f.index), [0, 1, 2, 3, 4, 5, 6, 7]);
  assertEquals(got.map((f) => f.t_ms), [5000, 5020, 5040, 5060, 5080, 5100, 5120, 5140]);
  for (const f of got) assertEquals(f.samples, withSamples(f.index).samples);
  // Within a burst the rest of it was already waiting when a frame left: nothing was held back.
  assertEquals(sizes, [2, 1, 0, 1, 0, 2, 1, 0]);
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

Deno.test("FrameQueue paced in bursts: each frame leaves at the first burst time at or after its own", async () => {
  for (
    const [paceMs, expected] of [
      // 20 ms frames in 50 ms bursts: 0 | 20 40 | 60 80 100 | 120 140.
      [20, [0, 50, 50, 100, 100, 100, 150, 150]],
      // 30 ms frames: 0 | 30 | 60 90 | 120 150 | 180 | 210.
      [30, [0, 50, 100, 100, 150, 150, 200, 250]],
      // 10 ms frames: five to a burst, on the burst's time.
      [10, [0, 50, 50, 50, 50, 50, 100, 100]],
    ] as const
  ) {
    let now = 1000;
    const q = new FrameQueue({
      policy: "block",
      capacity: 100,
      paceMs,
      paceBurstMs: 50,
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    });
    for (let i = 0; i < 8; i++) await q.push(frame(i));
    q.end();
    const releasedAt: number[] = [];
    for await (const _ of q) releasedAt.push(now - 1000);
    assertEquals(releasedAt, [...expected], `${paceMs} ms frames`);
    // Never before its own time, never a whole burst after it.
    releasedAt.forEach((t, i) => assert(t >= i * paceMs && t < i * paceMs + 50));
  }
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

/** A live queue on a fake clock: `arrivals` are [time, frames] bursts the reader pushes. */
function liveQueue(arrivals: [number, number][], capacity = 50) {
  let now = 0;
  let next = 0;
  const q: FrameQueue = new FrameQueue({
    policy: "drop",
    capacity,
    jitter: { frameMs: 20 },
    now: () => now,
    sleep: (ms) => {
      now += ms;
      deliver();
      return Promise.resolve();
    },
  });
  const deliver = () => {
    while (arrivals[0] && arrivals[0][0] <= now) {
      const [, count] = arrivals.shift()!;
      for (let i = 0; i < count; i++) void q.push(frame(next++));
    }
  };
  // The reader: when the consumer has taken everything, time moves on to the next burst.
  const reader = (async () => {
    while (arrivals.length > 0) {
      await new Promise((r) => setTimeout(r, 0));
      if (q.size === 0) {
        now = arrivals[0]![0];
        deliver();
      }
    }
    await new Promise((r) => setTimeout(r, 0));
    q.end();
  })();
  return { q, now: () => now, reader };
}

Deno.test("FrameQueue(drop, jitter) re-paces 100 ms bursts into frames 20 ms apart", async () => {
  const bursts: [number, number][] = Array.from({ length: 10 }, (_, i) => [i * 100, 5]);
  const live = liveQueue(bursts);
  const released: [number, number][] = [];
  for await (const f of live.q) released.push([f.index, live.now()]);
  await live.reader;
  assertEquals(released, Array.from({ length: 50 }, (_, i) => [i, i * 20]));
  assertEquals(live.q.dropped, 0);
});

Deno.test("FrameQueue(drop, jitter): a stalled consumer loses the oldest frames, counted; pushes never wait", async () => {
  let now = 0;
  const q = new FrameQueue({
    policy: "drop",
    capacity: 10,
    jitter: { frameMs: 20 },
    now: () => now,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
  });
  for (let i = 0; i < 25; i++) {
    let settled = false;
    void q.push(frame(i)).then(() => (settled = true));
    await Promise.resolve();
    assertEquals(settled, true, `push ${i} waited`);
    now += 20;
  }
  q.end();
  const got: number[] = [];
  for await (const f of q) got.push(f.index);
  assertEquals(got, [15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  assertEquals(q.dropped, 15);
});

Deno.test("FrameQueue.settled resolves once the consumer has made what it will of every frame", async () => {
  const q = new FrameQueue({ policy: "drop", capacity: 50 });
  // No consumer yet: nobody to wait for.
  await q.push(frame(0));
  await q.settled();
  const handled: number[] = [];
  const consumer = (async () => {
    for await (const f of q) {
      // Work on each frame that takes a few turns of promises, as the VAD's does.
      for (let i = 0; i < 5; i++) await Promise.resolve();
      handled.push(f.index);
    }
  })();
  for (const i of [1, 2]) await q.push(frame(i));
  await q.settled();
  assertEquals(handled, [0, 1, 2]);
  // Nothing pushed since: it resolves at once.
  await q.settled();
  await q.push(frame(3));
  await q.settled();
  assertEquals(handled, [0, 1, 2, 3]);
  // With no consumer left, an ended queue never keeps anyone waiting.
  q.end();
  await consumer;
  await q.push(frame(4));
  await q.settled();
  assertEquals(handled, [0, 1, 2, 3]);
});
