/**
 * Live capture from a device that does not exist, through the real sox and ffmpeg: the capture
 * tries pulse, then alsa, restarts, and finally fails with a message that names the fix.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "@shared/testing/asserts.ts";
import { CaptureError, resolveTool, startCapture } from "./capture.ts";

for (const tool of ["sox", "ffmpeg"] as const) {
  Deno.test(`capture: a ${tool} device that does not exist fails after its restarts`, async () => {
    const capture = await startCapture({
      tool,
      device: "no-such-device-7f3a",
      frameMs: 20,
      pace: false,
      os: "linux",
      maxRestarts: 1,
    });
    const error = await assertRejects(() => capture.done, CaptureError);
    assertStringIncludes(error.message, `The microphone capture (${tool}) kept stopping (`);
    assertStringIncludes(
      error.message,
      "): check the device with --list-devices or choose one with --device",
    );
    assertEquals([capture.restarts(), capture.totalRestarts()], [1, 1]);
    // The frame stream ends with the same error.
    await assertRejects(async () => {
      for await (const _ of capture.frames) { /* no audio expected */ }
    }, CaptureError);
  });
}

Deno.test({
  name: "capture: ffmpeg on Windows without --device needs a DirectShow microphone",
  // Off Windows, ffmpeg has no dshow input and lists no device: the same path a Windows
  // machine without a microphone takes. On Windows the result depends on the hardware.
  ignore: Deno.build.os === "windows",
}, async () => {
  await assertRejects(
    () => startCapture({ tool: "ffmpeg", os: "windows", frameMs: 20, pace: false }),
    CaptureError,
    "ffmpeg lists no DirectShow audio device: connect a microphone, name one with --device (see --list-devices) or use --capture sox",
  );
});

/**
 * A stand-in microphone that gives 5 frames (100 ms) of audio and dies, every time it is
 * started; the clock moves `stepMs` at every reading, so each run lasts `stepMs`. A restart
 * waits until the frames of the runs before it have been read; the capture is stopped during
 * restart number `stopAt`.
 */
function dyingMicrophone(stepMs: number, maxRestarts: number, stopAt = Infinity) {
  let t = 0;
  const delays: number[] = [];
  const read = { frames: 0, wake: () => {} };
  const started = startCapture({
    tool: "ffmpeg",
    device: "stand-in",
    frameMs: 20,
    pace: false,
    os: "darwin",
    maxRestarts,
    clock: () => (t += stepMs),
    sleep: async (ms) => {
      delays.push(ms);
      while (read.frames < delays.length * 5) await new Promise<void>((r) => (read.wake = r));
      if (delays.length === stopAt) (await started).stop();
    },
    command: () => ({
      cmd: "sh",
      args: ["-c", "head -c 3200 /dev/zero; echo 'device gone' >&2; exit 1"],
    }),
  });
  return { started, delays, read };
}

Deno.test("capture: a microphone that runs a minute between stops is restarted without end", async () => {
  const { started, delays, read } = dyingMicrophone(61_000, 2, 6);
  const capture = await started;
  const frames: [number, number][] = [];
  for await (const f of capture.frames) {
    frames.push([f.index, f.t_ms]);
    read.frames++;
    read.wake();
  }
  await capture.done;
  assertEquals([capture.restarts(), capture.totalRestarts()], [1, 6]);
  assertEquals(delays, [400, 400, 400, 400, 400, 400]);
  // One session clock: each run resumes where the clock stood when it was spawned (runs are
  // spawned 2 readings = 122 s apart), and frame numbers go on from the last run.
  const runStarts = [0, 122_000, 244_000, 366_000, 488_000, 610_000];
  assertEquals(
    frames,
    runStarts.flatMap((start, run) =>
      [0, 1, 2, 3, 4].map((i): [number, number] => [run * 5 + i, start + i * 20])
    ),
  );
});

Deno.test("capture: a microphone that keeps dying young is given up after its restarts in a row", async () => {
  const { started, delays, read } = dyingMicrophone(1_000, 2);
  read.frames = Infinity; // nobody reads: restarts do not wait
  const capture = await started;
  await assertRejects(
    () => capture.done,
    CaptureError,
    "The microphone capture (ffmpeg) kept stopping (device gone): check the device with --list-devices or choose one with --device",
  );
  assertEquals([capture.restarts(), capture.totalRestarts()], [2, 2]);
  assertEquals(delays, [400, 800]);
});

Deno.test("capture: a tool that writes warnings for long fails with its last stderr line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const input = `${dir}/input.wav`;
    await Deno.writeFile(input, new Uint8Array(10));
    // 20 KB of warnings (more than is kept), then the line that says why it stopped.
    const script =
      'for i in $(seq 400); do echo "warning $i: timestamps out of order" >&2; done; ' +
      'echo "input.wav: Invalid data found when processing input" >&2; exit 1';
    const capture = await startCapture({
      tool: "ffmpeg",
      input,
      frameMs: 20,
      pace: false,
      command: () => ({ cmd: "sh", args: ["-c", script] }),
    });
    await assertRejects(
      () => capture.done,
      CaptureError,
      `Cannot decode '${input}' as audio with ffmpeg: input.wav: Invalid data found when processing input`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** 8 frames of 20 ms with distinct samples, as s16le bytes in a temporary raw file. */
async function rawFrames(): Promise<{ dir: string; path: string; samples: Int16Array }> {
  const samples = Int16Array.from({ length: 8 * 320 }, (_, i) => (i * 37) % 65_536 - 32_768);
  const dir = await Deno.makeTempDir();
  const path = `${dir}/frames.raw`;
  await Deno.writeFile(path, new Uint8Array(samples.buffer));
  return { dir, path, samples };
}

/** A clock that only the capture's own waits move, and the waits it was asked for. */
function fakeTime() {
  const time = { now: 0, waits: [] as number[] };
  return {
    time,
    clock: () => time.now,
    sleep: (ms: number) => {
      time.waits.push(ms);
      time.now += ms;
      return Promise.resolve();
    },
  };
}

Deno.test("capture: a live microphone's frames leave in the tool's bursts, unpaced, with their capture times", async () => {
  const { dir, path, samples } = await rawFrames();
  try {
    const { time, clock, sleep } = fakeTime();
    const capture = await startCapture({
      tool: "ffmpeg",
      device: "stand-in",
      frameMs: 20,
      pace: true, // a file's setting: a microphone is real time already
      os: "darwin",
      clock,
      sleep,
      // A microphone that hands over 160 ms at once, then stays open.
      command: () => ({ cmd: "sh", args: ["-c", `cat '${path}'; exec sleep 30`] }),
    });
    const frames: [number, number][] = [];
    const got: number[] = [];
    for await (const f of capture.frames) {
      frames.push([f.index, f.t_ms]);
      got.push(...f.samples);
      if (frames.length === 8) capture.stop();
    }
    await capture.done;
    // No frame waited for a frame time: each left as soon as the tool's output was read.
    assertEquals(time.waits, []);
    assertEquals(frames, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, i * 20]));
    assertEquals(got, [...samples]);
    assertEquals(capture.frames.dropped, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("capture: a file at real-time pace leaves in 50 ms bursts, no frame before its time", async () => {
  const { dir, path, samples } = await rawFrames();
  try {
    const { time, clock, sleep } = fakeTime();
    const capture = await startCapture({
      tool: "ffmpeg",
      input: path,
      frameMs: 20,
      pace: true,
      clock,
      sleep,
      command: () => ({ cmd: "cat", args: [path] }),
    });
    const frames: [number, number, number][] = [];
    const got: number[] = [];
    for await (const f of capture.frames) {
      frames.push([f.index, f.t_ms, time.now]);
      got.push(...f.samples);
    }
    await capture.done;
    // As a sound server hands a microphone's audio over: the frames whose time has come, every
    // 50 ms from the first one (0 | 20 40 | 60 80 100 | 120 140).
    assertEquals(time.waits, [50, 50, 50]);
    const released = [0, 50, 50, 100, 100, 100, 150, 150];
    assertEquals(frames, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, i * 20, released[i]!]));
    assertEquals(got, [...samples]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("capture: while the consumer needs no frame, a microphone's pipe is read when that audio can have come in", async () => {
  const { dir, path, samples } = await rawFrames();
  try {
    const { time, clock, sleep } = fakeTime();
    const asked: number[] = [];
    const capture = await startCapture({
      tool: "ffmpeg",
      device: "stand-in",
      frameMs: 20,
      pace: false,
      os: "darwin",
      clock,
      sleep,
      // Nothing can happen before 160 ms of audio.
      holdUntil: () => {
        asked.push(time.now);
        return 160;
      },
      // 80 ms of audio at once (one write, under the pipe's atomic size), the next 80 ms a
      // moment later, then the microphone stays open.
      command: () => ({
        cmd: "sh",
        args: ["-c", `head -c 2560 '${path}'; sleep 0.3; tail -c 2560 '${path}'; exec sleep 30`],
      }),
    });
    const frames: [number, number][] = [];
    const got: number[] = [];
    for await (const f of capture.frames) {
      frames.push([f.index, f.t_ms]);
      got.push(...f.samples);
      if (frames.length === 8) capture.stop();
    }
    await capture.done;
    // The first 80 ms came in at 0 ms on the capture's clock (a lag of -80 ms), so the audio up
    // to 160 ms can come in from 80 ms on: the pipe waited that long, and no more once the
    // frames had reached 160 ms.
    assertEquals(time.waits, [80]);
    assertEquals(asked.slice(0, 3), [0, 0, 80]);
    assertEquals(frames, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, i * 20]));
    assertEquals(got, [...samples]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("capture: a file is never held back, whatever the consumer says", async () => {
  const { dir, path, samples } = await rawFrames();
  try {
    const { time, clock, sleep } = fakeTime();
    const capture = await startCapture({
      tool: "ffmpeg",
      input: path,
      frameMs: 20,
      pace: false,
      clock,
      sleep,
      holdUntil: () => 10_000,
      command: () => ({
        cmd: "sh",
        args: ["-c", `head -c 2560 '${path}'; tail -c 2560 '${path}'`],
      }),
    });
    const got: number[] = [];
    for await (const f of capture.frames) got.push(...f.samples);
    await capture.done;
    assertEquals(time.waits, []);
    assertEquals(got, [...samples]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("capture: parec, given no sound server or device, opens ALSA with ffmpeg instead", async () => {
  const capture = await startCapture({
    tool: "parec",
    device: "no-such-device-7f3a",
    frameMs: 20,
    pace: false,
    os: "linux",
    maxRestarts: 1,
  });
  // ffmpeg then finds no ALSA device of that name either, and is restarted once.
  await assertRejects(
    () => capture.done,
    CaptureError,
    "The microphone capture (ffmpeg) kept stopping (",
  );
  assertEquals([capture.restarts(), capture.totalRestarts()], [1, 1]);
});

/**
 * A Linux microphone whose runs give `runs[i]` bytes each and end; the commands it was asked to
 * run, as "tool/backend", until `stopAfter` runs.
 */
async function linuxRuns(tool: "parec" | "ffmpeg", runs: number[], stopAfter: number) {
  const asked: string[] = [];
  const started = startCapture({
    tool,
    frameMs: 20,
    pace: false,
    os: "linux",
    maxRestarts: 10,
    sleep: async () => {
      if (asked.length === stopAfter) (await started).stop();
    },
    command: (spec) => {
      asked.push(`${spec.tool}/${spec.linuxBackend ?? "pulse"}`);
      const bytes = runs[asked.length - 1] ?? 0;
      return { cmd: "sh", args: ["-c", `head -c ${bytes} /dev/zero; echo 'gone' >&2; exit 1`] };
    },
  });
  const capture = await started;
  for await (const _ of capture.frames) { /* drained */ }
  await capture.done;
  return asked;
}

Deno.test("capture: a sound server that gave no audio yet is left for ALSA, with ffmpeg when the tool was parec", async () => {
  assertEquals(await linuxRuns("parec", [0, 3200], 2), ["parec/pulse", "ffmpeg/alsa"]);
  assertEquals(await linuxRuns("ffmpeg", [0, 3200], 2), ["ffmpeg/pulse", "ffmpeg/alsa"]);
});

Deno.test("capture: a sound server that gave audio and then none is restarted, not left for ALSA", async () => {
  // Restarting, say: its microphone comes back when it does.
  assertEquals(await linuxRuns("parec", [3200, 0, 0], 3), [
    "parec/pulse",
    "parec/pulse",
    "parec/pulse",
  ]);
});

Deno.test("resolveTool(): auto takes parec for a Linux microphone, ffmpeg for a file and elsewhere", async () => {
  assertEquals(await resolveTool("auto", { os: "linux" }), "parec");
  assertEquals(await resolveTool("auto", { os: "linux", input: "talk.wav" }), "ffmpeg");
  assertEquals(await resolveTool("auto", { os: "windows" }), "ffmpeg");
  assertEquals(await resolveTool("auto", { os: "darwin" }), "ffmpeg");
});

Deno.test("resolveTool() and startCapture(): parec cannot read a file", async () => {
  const message =
    "parec records from a sound server and cannot read a file: use --capture ffmpeg or sox with --input";
  await assertRejects(() => resolveTool("parec", { input: "talk.wav" }), CaptureError, message);
  await assertRejects(
    () => startCapture({ tool: "parec", input: "talk.wav", frameMs: 20, pace: false }),
    CaptureError,
    message,
  );
});
