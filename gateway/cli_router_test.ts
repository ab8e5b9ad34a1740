import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { GATEWAY_HELP, parseGatewayFlags, UsageError } from "./cli.ts";

Deno.test("--router defaults to auto and takes patterns, auto or model", () => {
  assertEquals(parseGatewayFlags([]).router, "auto");
  for (const mode of ["patterns", "auto", "model"] as const) {
    assertEquals(parseGatewayFlags(["--router", mode]).router, mode);
  }
  assertEquals(GATEWAY_HELP.includes("--router MODE"), true);
  assertEquals(GATEWAY_HELP.includes("ROUTER_MODEL"), true);
});

Deno.test("--router rejects other modes with a readable error", () => {
  const err = assertThrows(() => parseGatewayFlags(["--router", "llm"]), UsageError);
  assertEquals(
    err.message,
    'Invalid --router: Invalid option: expected one of "patterns"|"auto"|"model". See --help.',
  );
});
