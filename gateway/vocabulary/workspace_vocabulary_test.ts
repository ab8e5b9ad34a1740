import { assertEquals, assertRejects } from "@shared/testing/asserts.ts";
import { join } from "node:path";
import { WorkspaceUnavailableError, WorkspaceVocabulary } from "./workspace_vocabulary.ts";

async function git(dir: string, ...args: string[]) {
  const out = await new Deno.Command("git", { args: ["-C", dir, ...args], stderr: "piped" })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

async function writeFiles(dir: string, files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, path), text);
  }
}

Deno.test({
  name:
    "WorkspaceVocabulary lists a git workspace's tracked terms, ignoring untracked-ignored files",
  permissions: { read: true, write: true, run: ["git"], env: true },
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await git(dir, "init", "-q");
      await writeFiles(dir, {
        ".gitignore": "ignored/\n",
        "src/job_queue.ts": "export class JobQueue {}\nnew JobQueue();",
        "src/router.ts": 'import { JobQueue } from "./job_queue.ts";\nconst q: JobQueue = 1;',
        "ignored/secret_thing.ts": "export class SecretThing {}",
      });
      const vocabulary = new WorkspaceVocabulary({ workspace: dir });
      assertEquals(await vocabulary.terms(), ["JobQueue", "job_queue.ts", "router.ts"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "WorkspaceVocabulary walks a folder that is not a git repository, and caches for a while",
  permissions: { read: true, write: true, run: ["git"], env: true },
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await writeFiles(dir, {
        "app/speech_engine.py": "class SpeechEngine:\n    pass\nSpeechEngine()",
        ".hidden/other_thing.py": "class OtherThing: pass",
      });
      let now = 0;
      const vocabulary = new WorkspaceVocabulary({ workspace: dir, ttlMs: 1000, now: () => now });
      assertEquals(await vocabulary.terms(), ["SpeechEngine", "speech_engine.py"]);
      await writeFiles(dir, { "app/more_words.py": "class MoreWords: pass" });
      now = 999;
      assertEquals(await vocabulary.terms(), ["SpeechEngine", "speech_engine.py"], "cached");
      now = 1000;
      assertEquals(await vocabulary.terms(), [
        "SpeechEngine",
        "MoreWords",
        "more_words.py",
        "speech_engine.py",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("WorkspaceVocabulary is empty without a workspace and says why one is unreadable", async () => {
  assertEquals(await new WorkspaceVocabulary({}).terms(), []);
  const missing = join(await Deno.makeTempDir(), "missing");
  await assertRejects(
    () => new WorkspaceVocabulary({ workspace: missing }).terms(),
    WorkspaceUnavailableError,
    `Cannot read the coding workspace ${missing}: No such file or directory`,
  );
});
