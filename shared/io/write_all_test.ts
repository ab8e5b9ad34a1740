import { assertEquals } from "@shared/testing/asserts.ts";
import { writeAll } from "./write_all.ts";

Deno.test("writeAll keeps writing until a file that takes a few bytes at a time has them all", async () => {
  const taken: number[] = [];
  const file = {
    write(p: Uint8Array) {
      const n = Math.min(3, p.length);
      taken.push(...p.subarray(0, n));
      return Promise.resolve(n);
    },
  };
  await writeAll(file, new Uint8Array([1, 2, 3, 4, 5, 6, 7]));
  assertEquals(taken, [1, 2, 3, 4, 5, 6, 7]);
});
