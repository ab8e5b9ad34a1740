import { assertEquals } from "@shared/testing/asserts.ts";
import { formatStatus, StatusLine, type StatusSnapshot } from "./status_line.ts";

const BASE: StatusSnapshot = {
  levelDb: -30,
  state: "speaking",
  elapsedMs: 61_500,
  segments: 2,
  dropped: 0,
};
const LINE = "🎙 ██████████·········· " + " -30 dB  speaking  1:01.5  segments 2";

const CASES: [string, Partial<StatusSnapshot>, string][] = [
  ["no partial transcript", {}, LINE],
  [
    "a partial transcript",
    { partial: "open the  QA\ndashboard" },
    `${LINE}  “open the QA dashboard”`,
  ],
  ["an empty partial transcript", { partial: " " }, LINE],
  [
    "a long partial transcript keeps its end",
    { partial: `${"a".repeat(40)} ${"b".repeat(59)}` },
    `${LINE}  “…${"b".repeat(59)}”`,
  ],
];
for (const [name, extra, line] of CASES) {
  Deno.test(`formatStatus(): ${name}`, () =>
    assertEquals(formatStatus({ ...BASE, ...extra }), line));
}

Deno.test("StatusLine shows the live transcript until it is removed", () => {
  const written: string[] = [];
  const out = {
    writeSync: (p: Uint8Array) => (written.push(new TextDecoder().decode(p)), p.length),
  };
  const line = new StatusLine(out as unknown as typeof Deno.stderr);
  line.update(BASE);
  line.print("» done"); // lets the next draw through at once
  line.setPartial("refactor the");
  line.print("» done");
  line.setPartial(undefined);
  assertEquals(written, [
    `\r\x1b[2K${LINE}`,
    "\r\x1b[2K» done\n",
    `\r\x1b[2K${LINE}  “refactor the”`,
    "\r\x1b[2K» done\n",
    `\r\x1b[2K${LINE}`,
  ]);
});
