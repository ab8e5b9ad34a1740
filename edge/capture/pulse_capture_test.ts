import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { startPulseServer } from "@shared/testing/pulse_server.ts";
import { captureCommand } from "./capture_command.ts";

for (const tool of ["ffmpeg", "parec"] as const) {
  Deno.test(`${tool}'s PulseAudio capture, as the edge runs it, writes audio at pace and nothing to stderr`, async () => {
    const pulse = await startPulseServer();
    const dir = await Deno.makeTempDir();
    let playing: Promise<void> = Promise.resolve();
    try {
      // Faint noise, as a quiet room gives: the microphone's packets keep coming all the while.
      const wav = `${dir}/noise.wav`;
      const made = await new Deno.Command("sox", {
        args: [
          "-n",
          ..."-r 16000 -c 1 -b 16".split(" "),
          wav,
          ..."synth 8 pinknoise vol 0.01".split(" "),
        ],
      }).output();
      assert(made.success, "sox could not make the test audio");
      // Still playing when the capture stops; stopping the server at the end ends it.
      playing = pulse.play(wav).catch(() => {});
      const { cmd, args } = captureCommand({ tool, os: "linux", linuxBackend: "pulse" });
      const child = new Deno.Command(cmd, {
        args,
        env: pulse.env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let bytes = 0;
      const reading = (async () => {
        for await (const chunk of child.stdout) bytes += chunk.length;
      })();
      const stderr = new Response(child.stderr).text();
      // Once it runs, 16 kHz 16-bit mono is 32,000 bytes a second (start-up takes a while first).
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      await sleep(2_000);
      const from = bytes;
      await sleep(3_000);
      const rate = (bytes - from) / 3;
      child.kill("SIGTERM");
      await child.status;
      await reading;
      assert(rate > 0.9 * 32_000 && rate < 1.1 * 32_000, `captured ${rate} bytes a second`);
      // Nothing on stderr, the edge's source for error messages. With wall-clock timestamps (no
      // `-wallclock 0`) ffmpeg 5 printed "non monotonically increasing dts" now and then, on
      // some runs a couple of times a second: how often follows the host's scheduling, so this
      // test cannot always catch those args coming back, but any warning of this command fails it.
      // The command is also proven to run (an option this ffmpeg did not know would end it).
      assertEquals((await stderr).trim(), "");
    } finally {
      await pulse.stop();
      await playing;
      await Deno.remove(dir, { recursive: true });
    }
  });
}
