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
  // A clock at 0 stands for a process younger than the redraw interval: it must still draw.
  const line = new StatusLine(out as unknown as typeof Deno.stderr, { now: () => 0 });
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

Deno.test("StatusLine draws at once, then at most once per interval; print lets the next through", () => {
  const written: string[] = [];
  const out = {
    writeSync: (p: Uint8Array) => (written.push(new TextDecoder().decode(p)), p.length),
  };
  let clock = 5; // 5 ms into the process
  const line = new StatusLine(out as unknown as typeof Deno.stderr, { now: () => clock });
  const at = (ms: number, segments: number) => {
    clock = ms;
    line.update({ ...BASE, segments });
  };
  at(5, 1); // first: drawn
  at(60, 2); // 55 ms later: skipped
  at(104, 3); // 99 ms after the draw: skipped
  at(105, 4); // 100 ms: drawn
  line.print("» done");
  at(106, 5); // right after a print: drawn
  line.clear();
  at(107, 6); // right after a clear: drawn
  const drawn = written.filter((w) => w.includes("segments")).map((w) =>
    Number(/segments (\d+)/.exec(w)![1])
  );
  assertEquals(drawn, [1, 4, 5, 6]);
});
