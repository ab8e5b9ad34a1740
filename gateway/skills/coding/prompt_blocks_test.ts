import { assertEquals } from "@shared/testing/asserts.ts";
import { promptBlocks } from "./prompt_blocks.ts";

Deno.test("promptBlocks(): map and files end at cache breakpoints, the instruction comes last", () => {
  const blocks = promptBlocks("rename foo", {
    map: "a.ts\nb.ts",
    files: [{ path: "a.ts", content: "export const foo = 1;" }, { path: "b.ts", content: "x" }],
  });
  assertEquals(blocks, [
    {
      type: "text",
      text: "<repository_map>\na.ts\nb.ts\n</repository_map>",
      cache_control: { type: "ephemeral" },
    },
    {
      type: "text",
      text: '<file path="a.ts">\nexport const foo = 1;\n</file>\n\n<file path="b.ts">\nx\n</file>',
      cache_control: { type: "ephemeral" },
    },
    { type: "text", text: "<instruction>\nrename foo\n</instruction>" },
  ]);
});

Deno.test("promptBlocks(): the cached prefix does not depend on the instruction", () => {
  const context = { map: "a.ts", files: [{ path: "a.ts", content: "1" }] };
  const one = promptBlocks("rename foo", context);
  const two = promptBlocks("add a test", context);
  assertEquals(one.slice(0, 2), two.slice(0, 2));
});

Deno.test("promptBlocks(): no files means no empty files block", () => {
  const blocks = promptBlocks("x", { map: "", files: [] });
  assertEquals(blocks.map((b) => b.cache_control ?? null), [{ type: "ephemeral" }, null]);
});
