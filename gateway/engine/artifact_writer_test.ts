import { assertEquals } from "@shared/testing/asserts.ts";
import { join } from "node:path";
import { ArtifactWriter, mergeArtifacts } from "./artifact_writer.ts";

Deno.test({
  name: "ArtifactWriter writes text redacted and bytes as sent, a rewritten name once",
  permissions: { read: true, write: true },
  async fn() {
    const dataDir = await Deno.makeTempDir();
    try {
      const writer = new ArtifactWriter(dataDir, "job1");
      const key = `sk-ant-api03-${"x".repeat(40)}`;
      await writer.record({ name: "notes.txt", text: `first ${key}` })();
      await writer.record({ name: "shot.png", base64: btoa("\x89PNG") })();
      await writer.record({ name: "notes.txt", text: "second" })();
      assertEquals(writer.artifacts, [
        { name: "notes.txt", path: "artifacts/job1/notes.txt" },
        { name: "shot.png", path: "artifacts/job1/shot.png" },
      ]);
      const dir = join(dataDir, "artifacts", "job1");
      assertEquals(await Deno.readTextFile(join(dir, "notes.txt")), "second");
      assertEquals(
        [...await Deno.readFile(join(dir, "shot.png"))],
        [0x89, 0x50, 0x4e, 0x47],
      );
      const redacted = new ArtifactWriter(dataDir, "job2");
      await redacted.record({ name: "k.txt", text: `key ${key}` })();
      const text = await Deno.readTextFile(join(dataDir, "artifacts", "job2", "k.txt"));
      assertEquals(text.includes(key), false, text);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test("mergeArtifacts() keeps a result's own artifacts and lets written ones win by name", () => {
  assertEquals(
    mergeArtifacts(
      [{ name: "a", path: "x/a" }, { name: "b", path: "x/b" }],
      [{ name: "b", path: "artifacts/j/b" }, { name: "c", path: "artifacts/j/c" }],
    ),
    [
      { name: "a", path: "x/a" },
      { name: "b", path: "artifacts/j/b" },
      { name: "c", path: "artifacts/j/c" },
    ],
  );
});
