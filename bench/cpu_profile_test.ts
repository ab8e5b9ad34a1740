import { assertEquals } from "@shared/testing/asserts.ts";
import { CpuProfile, formatCosts, shortUrl, summarizeProfile } from "./cpu_profile.ts";

const ROOT = "file:///repo/";
const frame = (functionName: string, url = "", lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

Deno.test("self time is summed per function and per file, idle left out", () => {
  const profile = CpuProfile.parse({
    nodes: [
      { id: 1, callFrame: frame("(root)") },
      { id: 2, callFrame: frame("(idle)") },
      { id: 3, callFrame: frame("parseCommand", `${ROOT}gateway/control/command_parser.ts`, 360) },
      { id: 4, callFrame: frame("", `${ROOT}gateway/control/command_parser.ts`, 9) },
      {
        id: 5,
        callFrame: frame(
          "dispatch",
          "file:///home/u/repo/node_modules/.deno/hono@4.13.19/node_modules/hono/dist/compose.js",
          23,
        ),
      },
      {
        id: 6,
        callFrame: frame(
          "run",
          "file:///x/node_modules/.deno/@libsql+client@0.15.15/node_modules/a.js",
          1,
        ),
      },
      // A second node of the same function (another call path) adds to the same line.
      { id: 7, callFrame: frame("parseCommand", `${ROOT}gateway/control/command_parser.ts`, 360) },
    ],
    samples: [2, 3, 3, 4, 5, 2, 7, 6],
    timeDeltas: [5000, 1000, 1000, 500, 250, 5000, 1000, 250],
  });
  const summary = summarizeProfile(profile, { root: ROOT });
  assertEquals(summary.busyMs, 4);
  assertEquals(summary.byFunction.map((l) => [l.name, l.ms, l.share]), [
    ["parseCommand gateway/control/command_parser.ts:361", 3, 0.75],
    ["(anonymous) gateway/control/command_parser.ts:10", 0.5, 0.125],
    ["dispatch npm:hono@4.13.19:24", 0.25, 0.0625],
    ["run npm:@libsql/client@0.15.15:2", 0.25, 0.0625],
  ]);
  assertEquals(summary.byFile.map((l) => [l.name, l.ms]), [
    ["gateway/control/command_parser.ts", 3.5],
    ["npm:hono@4.13.19", 0.25],
    ["npm:@libsql/client@0.15.15", 0.25],
  ]);
  assertEquals(summarizeProfile(profile, { top: 1 }).byFile.length, 1);
  assertEquals(
    formatCosts(summary.byFile.slice(0, 1)),
    " 87.5 %      4 ms  gateway/control/command_parser.ts",
  );
});

Deno.test("native frames have no file, and a profile without samples is all zeros", () => {
  assertEquals(shortUrl(""), "(native)");
  assertEquals(shortUrl("ext:deno_http/00_serve.ts", ROOT), "ext:deno_http/00_serve.ts");
  const empty = summarizeProfile({ nodes: [], samples: [], timeDeltas: [] });
  assertEquals(empty, { busyMs: 0, byFunction: [], byFile: [] });
});

Deno.test("a file that is not a CPU profile is refused with the field at fault", () => {
  const parsed = CpuProfile.safeParse({ nodes: [], samples: "x", timeDeltas: [] });
  assertEquals(parsed.success, false);
  assertEquals(parsed.error?.issues[0]?.path, ["samples"]);
});
