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

Deno.test("the page embeds the type-checked client file as it is, after the tested helpers", async () => {
  const file = await Deno.readTextFile(
    new URL("../dashboard_client/dashboard_client.js", import.meta.url),
  );
  assertEquals(CLIENT_SCRIPT.startsWith("const createSseParser = "), true);
  assertEquals(CLIENT_SCRIPT.endsWith(file), true);
  // The embedded sources run on their own, as the page runs them.
  const helpers = CLIENT_SCRIPT.slice(0, CLIENT_SCRIPT.length - file.length);
  const run = new Function(`${helpers}; return [fmtCost(null), esc("<a>"), typeof chartHtml];`);
  assertEquals(run(), ["unpriced", "&lt;a&gt;", "function"]);
});
