/**
 * @module
 * The real Chromium that browser tests drive: headless, quiet (no background networking,
 * component updates or sync), from `CHROMIUM_PATH` or Debian's `/usr/bin/chromium`.
 */
import { type Browser, chromium } from "playwright-core";

/** Launches Chromium for a test; `extraArgs` add flags (e.g. host resolver rules). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return await chromium.launch({
    executablePath: Deno.env.get("CHROMIUM_PATH") || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...extraArgs,
    ],
  });
}
