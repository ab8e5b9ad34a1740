import { assertEquals } from "@shared/testing/asserts.ts";
import { foldCommandText } from "./fold_command_text.ts";

/** The four replacements every text went through before the already-folded case was skipped. */
function reference(text: string): string {
  return text.toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[-\u2010-\u2015_/]+/g, " ")
    .replace(/[^a-z0-9' ]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

Deno.test("foldCommandText: folded text comes back as it is, the rest as the replacements make it", () => {
  const cases: [string, string][] = [
    ["echo benchmark", "echo benchmark"],
    ["", ""],
    ["what's up", "what's up"],
    [" cancel that", "cancel that"],
    ["cancel that ", "cancel that"],
    ["cancel  that", "cancel that"],
    ["Cancel that.", "cancel that"],
    ["yes. go ahead!", "yes go ahead"],
    ["don\u2019t", "don't"],
    ["it\u02bcs `ok\u00b4", "it's 'ok'"],
    ["stop \u2014 the browser-one/now_please", "stop the browser one now please"],
    ["tab\there\nnewline", "tab here newline"],
    ["caf\u00e9 \u0130stanbul", "caf i stanbul"],
    ["!!!", ""],
    ["'", "'"],
  ];
  for (const [text, folded] of cases) {
    assertEquals(foldCommandText(text), folded, JSON.stringify(text));
    assertEquals(foldCommandText(text), reference(text), JSON.stringify(text));
  }
});

Deno.test("foldCommandText: the same as the replacements on random texts of every kind of character", () => {
  // A fixed-seed generator, so a failure repeats.
  let seed = 0x9e3779b9;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const alphabet = [
    ..."abcxyzABCXYZ0189 '-_/.,!?\t\n`\u00b4\u2018\u2019\u02bc\u2010\u2015\u00e9\u0130\u00a0\u3000",
  ];
  for (let i = 0; i < 20000; i++) {
    const length = Math.floor(next() * 12);
    let text = "";
    for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)];
    assertEquals(foldCommandText(text), reference(text), JSON.stringify(text));
  }
});
