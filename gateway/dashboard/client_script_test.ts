import { assertEquals } from "@shared/testing/asserts.ts";
import { CLIENT_SCRIPT } from "./client_script.ts";

Deno.test("the dashboard's browser script parses (a syntax error would blank the page)", () => {
  let error = "";
  try {
    // Parsed, not run: the body of a function is checked for syntax as a whole.
    new Function(CLIENT_SCRIPT);
  } catch (err) {
    error = String(err);
  }
  assertEquals(error, "");
});

Deno.test("the dashboard shows an unpriced cost as 'unpriced', not as nothing or $0", () => {
  const line = CLIENT_SCRIPT.split("\n").find((l) => l.startsWith("const fmtCost ="))!;
  const fmtCost = new Function(`${line}; return fmtCost;`)() as (usd: unknown) => string;
  assertEquals([fmtCost(null), fmtCost(undefined), fmtCost(0), fmtCost(0.01234)], [
    "unpriced",
    "",
    "",
    "$0.0123",
  ]);
});

Deno.test("the page embeds the type-checked client file as it is, after the SSE parser", async () => {
  const file = await Deno.readTextFile(
    new URL("../dashboard_client/dashboard_client.js", import.meta.url),
  );
  assertEquals(CLIENT_SCRIPT.startsWith("const createSseParser = "), true);
  assertEquals(CLIENT_SCRIPT.endsWith(file), true);
});
