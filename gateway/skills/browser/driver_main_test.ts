import { assertEquals } from "@shared/testing/asserts.ts";
import { isTransientScreenshotError } from "./driver_main.ts";

Deno.test("driver: only Chromium's passing 'Unable to capture screenshot' is tried again", () => {
  assertEquals(
    isTransientScreenshotError(
      "page.screenshot: Protocol error (Page.captureScreenshot): Unable to capture screenshot",
    ),
    true,
  );
  assertEquals(isTransientScreenshotError("page.screenshot: Timeout 15000ms exceeded."), false);
  assertEquals(isTransientScreenshotError("Target crashed"), false);
});
