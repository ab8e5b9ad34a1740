/** `deno task edge --list-devices` through the real sox, ffmpeg and pactl of this machine. */
import { assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { startPulseServer } from "@shared/testing/pulse_server.ts";
import { listDevicesCommands } from "./capture/capture_command.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const OS = Deno.build.os === "windows"
  ? "windows"
  : Deno.build.os === "darwin"
  ? "darwin"
  : "linux";

async function listDevices(tool: string, env: Record<string, string> = {}) {
  const logs = await Deno.makeTempDir({ prefix: "edge-devices-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-run",
        "--allow-env",
        MAIN,
        "--list-devices",
        "--capture",
        tool,
        "--logs-dir",
        logs,
      ],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
  } finally {
    await Deno.remove(logs, { recursive: true });
  }
}

Deno.test("edge --list-devices shows each listing command of ffmpeg and its output", async () => {
  const r = await listDevices("ffmpeg");
  assertEquals(r.code, 0);
  for (const { cmd, args } of listDevicesCommands("ffmpeg", OS)) {
    assertStringIncludes(r.stdout, `$ ${cmd} ${args.join(" ")}\n`);
  }
});

Deno.test("edge --list-devices with sox names its audio drivers and how to pick a device", async () => {
  const r = await listDevices("sox");
  assertEquals(r.code, 0);
  assertStringIncludes(r.stdout, "$ sox -h\nsox audio drivers: ");
  assertStringIncludes(r.stdout, "sox cannot list devices; name one with --device: default");
});

Deno.test("edge --list-devices with parec shows the sound server's sources through pactl", async () => {
  const pulse = await startPulseServer({ sinks: ["headset"] });
  try {
    const r = await listDevices("parec", pulse.env);
    assertEquals(r.code, 0);
    assertStringIncludes(r.stdout, "$ pactl list short sources\n");
    // Each null sink's monitor is a source parec can record, named as --device takes it.
    assertStringIncludes(r.stdout, "\tspeaker.monitor\t");
    assertStringIncludes(r.stdout, "\theadset.monitor\t");
  } finally {
    await pulse.stop();
  }
});
