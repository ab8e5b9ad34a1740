import { assertEquals } from "@shared/testing/asserts.ts";
import { utteranceFeatures } from "./features.ts";

Deno.test("utteranceFeatures(): words, word pairs, and the ends of longer words, each once", () => {
  assertEquals(utteranceFeatures("Fix the Dockerfile, fix it!"), [
    "w:fix",
    "w:the",
    "b:fix_the",
    "w:dockerfile",
    "b:the_dockerfile",
    "p:docke",
    "s:file",
    "b:dockerfile_fix",
    "w:it",
    "b:fix_it",
  ]);
});

Deno.test("utteranceFeatures(): a text without words has no features", () => {
  assertEquals(utteranceFeatures("  ... !? "), []);
});
