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
