import { assertEquals } from "@shared/testing/asserts.ts";
import { literalStarts, startsFilter } from "./command_starts.ts";
import { commandPatterns, normalizeCommandText, parseCommand } from "./command_parser.ts";
import { loadEvalSet } from "../router/eval/router_eval.ts";

const sorted = (xs: string[]) => [...xs].sort();

Deno.test("literal starts: alternatives, optional and repeated parts, classes, escapes", () => {
  // A start stops at its first space: the first word is what turns a text away.
  assertEquals(sorted(literalStarts(/^(?:yes|no)(?: please)?$/)), ["no", "no ", "yes", "yes "]);
  // An optional lead: the start is the lead's or, without it, what follows.
  assertEquals(sorted(literalStarts(/^(?:(?:yes|no) )?(?:stop|halt) it$/)), [
    "halt ",
    "no ",
    "stop ",
    "yes ",
  ]);
  // A repeat: its starts are beginnings only, and what follows may come first.
  assertEquals(sorted(literalStarts(/^(?:no )*(?:deny|reject)$/)), ["deny", "no ", "reject"]);
  assertEquals(sorted(literalStarts(/^authori[sz]e$/)), ["authorise", "authorize"]);
  assertEquals(sorted(literalStarts(/^jobs?$/)), ["job", "jobs"]);
  assertEquals(literalStarts(/^\bgo\.on(?=\s)/), ["go.on"]);
  // Anything not a plain literal stops the start where it stands.
  assertEquals(sorted(literalStarts(/^re\w+|^x[a-z]y$/)), ["re", "x"]);
  assertEquals(literalStarts(/^.*cancel$/), [""]);
  assertEquals(sorted(literalStarts(/^(?:a|b+)c$/)), ["ac", "b"]);
  assertEquals(sorted(literalStarts(/^x{0,2}y$/)), ["x", "y"]);
});

Deno.test("the filter keeps the shortest starts, and gives none when a pattern starts anyhow", () => {
  assertEquals(
    startsFilter([/^(?:no|nope) way$/, /^yes$/, /^yes sir$/])?.source,
    "^(?:no |yes|nope )",
  );
  assertEquals(startsFilter([/^yes$/, /^.+$/]), undefined);
  // Unanchored, or case-insensitive patterns are not read.
  assertEquals(startsFilter([/yes/]), undefined);
  assertEquals(startsFilter([/^yes/i]), undefined);
});

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

Deno.test("every text a command pattern matches passes the filter of how commands start", async () => {
  const patterns = commandPatterns();
  const filter = startsFilter(patterns);
  assertEquals(filter !== undefined, true, "the shipped grammars give a filter");
  const matchesAny = (s: string) => patterns.some((p) => p.test(s));
  // Word salad over the grammars' own words finds many commands ("no stop it", "yes do it").
  const vocabulary = [
    ...new Set(patterns.flatMap((p) => p.source.match(/[a-z]+/g) ?? [])),
  ];
  const next = random(17);
  const texts = (await loadEvalSet()).map((item) => normalizeCommandText(item.text));
  for (let i = 0; i < 40_000; i++) {
    const words = Array.from(
      { length: 1 + Math.floor(next() * 4) },
      () => vocabulary[Math.floor(next() * vocabulary.length)]!,
    );
    texts.push(words.join(" "));
  }
  let commands = 0;
  for (const text of texts) {
    if (!matchesAny(text)) continue;
    commands++;
    assertEquals(filter!.test(text), true, text);
  }
  assertEquals(commands > 500, true, `${commands} commands among ${texts.length} texts`);
});

Deno.test("requests for work are turned away before the command patterns", () => {
  const filter = startsFilter(commandPatterns())!;
  for (const text of ["echo benchmark", "refactor the parser", "open example dot com"]) {
    assertEquals(filter.test(normalizeCommandText(text)), false, text);
    assertEquals(parseCommand(text), null, text);
  }
  assertEquals(parseCommand("Yes, go ahead."), { action: "confirm" });
});
