/** `deno task edge --list-devices` through the real sox and ffmpeg of this machine. */
import { assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { listDevicesCommands } from "./capture/capture_command.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const OS = Deno.build.os === "windows"
  ? "windows"
  : Deno.build.os === "darwin"
  ? "darwin"
  : "linux";

async function listDevices(tool: string) {
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
