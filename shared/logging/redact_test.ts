import { assertEquals } from "../testing/asserts.ts";
import { REDACTED, redactText, registerSecrets } from "./redact.ts";

const cases: [string, string, string][] = [
  ["bearer header", "Authorization: Bearer abcdefgh12345", `Authorization: ${REDACTED}`],
  ["anthropic key", "key sk-ant-api03-abcdef123456 used", `key ${REDACTED} used`],
  ["openai key", "sk-proj-ABCDEFGH1234", REDACTED],
  ["google key", "AIzaSyA1234567890abcdefghijklmno", REDACTED],
  ["json api key field", `{"x-api-key":"plainvalue123"}`, `{"x-api-key":"${REDACTED}"}`],
  ["subprotocol key", "openai-insecure-api-key.sk123456", REDACTED],
  ["harmless text", "refactor the router", "refactor the router"],
];

for (const [name, input, expected] of cases) {
  Deno.test(`redactText() hides ${name}`, () => {
    assertEquals(redactText(input), expected);
  });
}

Deno.test("redactText() hides registered secret values of any shape", () => {
  registerSecrets(["canary-7f3a9-token"]);
  assertEquals(redactText("got canary-7f3a9-token here"), `got ${REDACTED} here`);
});
