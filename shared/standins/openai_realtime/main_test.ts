import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { InvalidFaultSpecError, parseFault } from "./main.ts";

Deno.test("parseFault() reads every fault spec", () => {
  const cases: [string, unknown][] = [
    ["drop", { type: "drop" }],
    ["drop:3", { type: "drop", afterAppends: 3 }],
    ["drop_after_commit", { type: "drop_after_commit" }],
    ["delay:250", { type: "delay", ms: 250 }],
    ["error", { type: "error" }],
    ["reject_auth", { type: "reject_auth" }],
    ["reject_auth:403", { type: "reject_auth", status: 403 }],
    ["failed", { type: "failed" }],
    ["garbage", { type: "garbage" }],
    ["drop_on_connect:2", { type: "drop_on_connect", count: 2 }],
  ];
  for (const [spec, expected] of cases) assertEquals(parseFault(spec), expected, spec);
  assertThrows(
    () => parseFault("explode"),
    InvalidFaultSpecError,
    "Cannot use the fault 'explode' as it is unknown",
  );
  assertThrows(
    () => parseFault("delay:soon"),
    InvalidFaultSpecError,
    "Cannot use the fault 'delay:soon' as its argument must be a number: current value is 'soon'",
  );
});

Deno.test("the stand-in CLI announces its URL and transcribes a fixture-less script", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      new URL("./main.ts", import.meta.url).href,
      "--script",
      "hello from the CLI",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    line += value;
  }
  const announced = JSON.parse(line.split("\n")[0]!) as { standin: string; url: string };
  assertEquals(announced.standin, "openai-realtime");
  const ws = new WebSocket(`${announced.url}?intent=transcription`, {
    headers: { Authorization: "Bearer sk-cli" },
  } as unknown as string[]);
  const transcript = await new Promise<string>((resolve, reject) => {
    ws.onerror = (e) => reject(new Error((e as ErrorEvent).message));
    ws.onopen = () => {
      const audio = new Int16Array(4800).fill(3000);
      ws.send(JSON.stringify({
        type: "input_audio_buffer.append",
        audio: new Uint8Array(audio.buffer).toBase64(),
      }));
      ws.send(JSON.stringify({ type: "input_audio_buffer.commit" }));
    };
    ws.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (e.type === "conversation.item.input_audio_transcription.completed") resolve(e.transcript);
    };
  });
  const closed = new Promise((r) => ws.onclose = r);
  ws.close();
  await closed;
  assertEquals(transcript, "hello from the CLI");
  child.kill("SIGTERM");
  await child.status;
  await reader.cancel();
  const log = await stderr;
  assertEquals(/STAND-IN \(not the real API\)/.test(log), true, "announces itself as a stand-in");
});
