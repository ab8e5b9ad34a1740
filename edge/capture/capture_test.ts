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
