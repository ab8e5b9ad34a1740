/**
 * Live capture from a device that does not exist, through the real sox and ffmpeg: the capture
 * tries pulse, then alsa, restarts, and finally fails with a message that names the fix.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "@shared/testing/asserts.ts";
import { CaptureError, startCapture } from "./capture.ts";

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
    assertEquals(capture.restarts(), 2);
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
