import { assertEquals } from "@shared/testing/asserts.ts";
import { proposalFrom } from "./proposal.ts";

const tracked = new Set(["src/router.ts"]);
const diff = "--- a/src/router.ts\n+++ b/src/router.ts\n@@ -1,2 +1,3 @@\n a\n+b\n c\n";

Deno.test("proposalFrom() takes the rationale and a valid diff", () => {
  assertEquals(proposalFrom(`Rationale: name the rule.\n\n\`\`\`diff\n${diff}\`\`\`\n`, tracked), {
    patch: diff,
    result: {
      summary: "Patch proposal for src/router.ts",
      rationale: "name the rule.",
      files_changed: ["src/router.ts"],
      patch_valid: true,
    },
  });
});

Deno.test("proposalFrom() reports an answer without a diff", () => {
  assertEquals(proposalFrom("Rationale: nothing to do.", tracked), {
    result: {
      summary: "The model proposed no patch",
      rationale: "nothing to do.",
      applies: false,
      apply_error: "the answer contained no unified diff",
      files_changed: [],
    },
  });
});

Deno.test("proposalFrom() reports a diff cut off at max_tokens as malformed and truncated", () => {
  const cut = `Rationale: r\n\n\`\`\`diff\n${diff.slice(0, -6)}`;
  const p = proposalFrom(cut, tracked, "max_tokens");
  assertEquals(p.result.applies, false);
  assertEquals(p.result.truncated, true);
  assertEquals(
    p.result.apply_error,
    "malformed diff: hunk at line 3 does not match its line counts (the answer was cut off at max_tokens)",
  );
  assertEquals(p.patch, diff.slice(0, -6));
});
