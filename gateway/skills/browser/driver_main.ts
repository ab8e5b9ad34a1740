/**
 * @module
 * The browser driver process: Playwright needs every permission under Deno, so it runs here
 * (`deno run -A`), not in a sandboxed worker. Drives the system Chromium headless, one browser
 * context per job, behind a loopback RPC that requires `BROWSER_DRIVER_TOKEN` on every call.
 *
 * Prints `{"event":"driver_listening","port":N}` on stdout when ready. Stops (closing Chromium)
 * on SIGTERM/SIGINT, and when its stdin reaches end of file: the supervisor holds the other
 * end of that pipe, so a gateway that dies without cleaning up still takes its browser along.
 * Exits non-zero when Chromium goes away under it, so that the supervisor starts a fresh one.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { DriverCall, type DriverErrorCode, type DriverReply } from "./driver_protocol.ts";

/** Chromium flags: root in a container, no GPU, and no calls home on a closed network. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

/** A call that failed in a way the caller should branch on. */
class CallError extends Error {
  constructor(readonly code: DriverErrorCode, message: string) {
    super(message);
  }
}

interface Entry {
  context: BrowserContext;
  page: Page;
  crashed: boolean;
}

/** Compares without an early exit, so the time taken does not reveal a token's prefix. */
function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!.trim();
}

const DIRECTION = { up: [0, -1], down: [0, 1], left: [-1, 0], right: [1, 0] } as const;

/** Time any call may take: mouse, keyboard and script calls wait forever on a page that spins. */
export const CALL_TIMEOUT_MS = 15_000;

/** `work`, or a `failed` error once `ms` have passed (the work itself cannot be cancelled). */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CallError("failed", `the page did not respond within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Chromium answers "Unable to capture screenshot" while a page has no frame to paint yet,
 * e.g. just after a failed navigation swapped in its error page, and more often on a busy
 * machine. That passes within moments, so such a failure is tried again before it counts.
 */
export function isTransientScreenshotError(message: string): boolean {
  return /Unable to capture screenshot/i.test(message);
}

/** Delays before the second, third, … screenshot attempt. */
export const SCREENSHOT_RETRY_MS = [100, 250, 500, 1000] as const;

async function captureScreenshot(
  page: Page,
  timeoutMs: number,
): Promise<Awaited<ReturnType<Page["screenshot"]>>> {
  const started = Date.now();
  for (let attempt = 0;; attempt++) {
    try {
      const left = Math.max(1_000, timeoutMs - (Date.now() - started));
      return await page.screenshot({ type: "png", timeout: left });
    } catch (err) {
      const wait = SCREENSHOT_RETRY_MS[attempt];
      if (
        wait === undefined || !isTransientScreenshotError(firstLine(err)) ||
        Date.now() - started + wait >= timeoutMs
      ) throw err;
      await page.waitForTimeout(wait);
      await page.waitForLoadState("load", { timeout: 2_000 }).catch(() => {});
    }
  }
}

/** A click or Enter may start a navigation a moment later; give it the chance before reporting. */
async function settle(page: Page): Promise<void> {
  await page.waitForTimeout(150);
  await page.waitForLoadState("load", { timeout: 10_000 }).catch(() => {});
}

async function handle(
  browser: Browser,
  contexts: Map<string, Entry>,
  call: ReturnType<typeof DriverCall.parse>,
): Promise<DriverReply> {
  if (call.op === "open_context") {
    const context = await browser.newContext({
      viewport: { width: call.width, height: call.height },
    });
    const page = await context.newPage();
    const id = `ctx-${crypto.randomUUID()}`;
    const entry: Entry = { context, page, crashed: false };
    page.on("crash", () => (entry.crashed = true));
    contexts.set(id, entry);
    return { ok: true, context: id, url: page.url() };
  }
  const entry = contexts.get(call.context);
  if (!entry) throw new CallError("unknown_context", `unknown browser context '${call.context}'`);
  if (call.op === "close_context") {
    contexts.delete(call.context);
    await entry.context.close();
    return { ok: true };
  }
  const { page } = entry;
  if (entry.crashed) {
    throw new CallError("page_crashed", `the page crashed (its renderer process is gone)`);
  }
  switch (call.op) {
    case "navigate": {
      const response = await page.goto(call.url, { waitUntil: "load", timeout: call.timeout_ms });
      return { ok: true, url: page.url(), ...(response ? { status: response.status() } : {}) };
    }
    case "screenshot":
      return {
        ok: true,
        url: page.url(),
        png_base64: (await captureScreenshot(page, call.timeout_ms)).toString("base64"),
      };
    case "click":
      await page.mouse.click(call.x, call.y, { button: call.button, clickCount: call.count });
      await settle(page);
      break;
    case "mouse":
      await page.mouse.move(call.x, call.y);
      if (call.action === "down") await page.mouse.down();
      else {
        await page.mouse.up();
        await settle(page);
      }
      break;
    case "keyboard_type":
      await page.keyboard.type(call.text);
      if (call.press_enter) {
        await page.keyboard.press("Enter");
        await settle(page);
      }
      break;
    case "key_down":
      await page.keyboard.down(call.key);
      break;
    case "key_up":
      await page.keyboard.up(call.key);
      break;
    case "hover":
      await page.mouse.move(call.x, call.y);
      break;
    case "type":
      await page.mouse.click(call.x, call.y);
      if (call.clear_before_typing) {
        await page.keyboard.press("ControlOrMeta+A");
        await page.keyboard.press("Delete");
      }
      await page.keyboard.type(call.text);
      if (call.press_enter) {
        await page.keyboard.press("Enter");
        await settle(page);
      }
      break;
    case "key":
      for (const key of call.keys) await page.keyboard.down(key);
      for (const key of [...call.keys].reverse()) await page.keyboard.up(key);
      break;
    case "scroll_document": {
      // A page's worth, on the document itself: a wheel event would scroll whatever nested
      // element sits under the mouse.
      const [dx, dy] = DIRECTION[call.direction];
      const size = page.viewportSize() ?? { width: 1440, height: 900 };
      await page.evaluate(
        // Runs in the page, where `scrollBy` exists.
        ([x, y]) =>
          (globalThis as unknown as { scrollBy(x: number, y: number): void }).scrollBy(x!, y!),
        [dx * size.width, dy * size.height],
      );
      break;
    }
    case "scroll_at": {
      await page.mouse.move(call.x, call.y);
      const [dx, dy] = DIRECTION[call.direction];
      await page.mouse.wheel(dx * call.magnitude, dy * call.magnitude);
      // Wheel scrolling is smooth and asynchronous: let it settle before the screenshot.
      await page.waitForTimeout(250);
      break;
    }
    case "go_back":
      await page.goBack({ timeout: 10_000 }).catch(() => null);
      break;
    case "go_forward":
      await page.goForward({ timeout: 10_000 }).catch(() => null);
      break;
    case "wait":
      await page.waitForTimeout(call.ms);
      break;
    case "drag":
      await page.mouse.move(call.x, call.y);
      await page.mouse.down();
      await page.mouse.move(call.to_x, call.to_y, { steps: 5 });
      await page.mouse.up();
      break;
    case "check": {
      const bodyText = await page.locator("body").innerText({ timeout: 5_000 }).catch(() => "");
      let found = bodyText.includes(call.expect);
      if (!found && /^[#.[a-z]/i.test(call.expect)) {
        found = await page.locator(call.expect).count().then((n) => n > 0).catch(() => false);
      }
      return {
        ok: true,
        url: page.url(),
        title: await page.title(),
        found,
        text: bodyText.replace(/\s+/g, " ").trim().slice(0, 500),
      };
    }
    case "text_at": {
      const text = await page.evaluate(
        // Runs in the page, where `document` exists.
        ([x, y]) =>
          (globalThis as unknown as {
            document: {
              elementFromPoint(x: number, y: number): { textContent: string | null } | null;
            };
          }).document.elementFromPoint(x!, y!)?.textContent ?? "",
        [call.x, call.y],
      );
      return { ok: true, url: page.url(), text: text.trim() };
    }
  }
  return { ok: true, url: page.url() };
}

async function main(): Promise<void> {
  const token = Deno.env.get("BROWSER_DRIVER_TOKEN") ?? "";
  if (token.length < 16) {
    console.error("BROWSER_DRIVER_TOKEN must be set (16+ characters)");
    Deno.exit(2);
  }
  const executablePath = Deno.env.get("CHROMIUM_PATH") || "/usr/bin/chromium";
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  } catch (err) {
    // One line, last on stderr: the supervisor reports it as the reason.
    console.error(`Cannot launch Chromium (${executablePath}): ${firstLine(err)}`);
    Deno.exit(3);
  }
  const contexts = new Map<string, Entry>();
  let stopping = false;

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ event: "driver_listening", port })),
  }, async (req) => {
    const fail = (code: DriverErrorCode, error: string, status = 200) =>
      Response.json({ ok: false, code, error } satisfies DriverReply, { status });
    if (!sameToken(req.headers.get("authorization") ?? "", `Bearer ${token}`)) {
      return fail("unauthorized", "a valid bearer token is required", 401);
    }
    if (req.method !== "POST" || new URL(req.url).pathname !== "/rpc") {
      return fail("bad_call", "use POST /rpc", 404);
    }
    let call;
    try {
      call = DriverCall.parse(await req.json());
    } catch (err) {
      const issue = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
      return fail(
        "bad_call",
        issue ? `${issue.path.join(".") || "(body)"}: ${issue.message}` : firstLine(err),
        400,
      );
    }
    try {
      const ms = Math.max(CALL_TIMEOUT_MS, ("timeout_ms" in call ? call.timeout_ms : 0) + 2_000);
      return Response.json(await withDeadline(handle(browser, contexts, call), ms));
    } catch (err) {
      if (err instanceof CallError) return fail(err.code, err.message);
      const entry = "context" in call ? contexts.get(call.context) : undefined;
      const message = firstLine(err);
      // Playwright reports a renderer that died during the call as "Target crashed".
      if (entry?.crashed || /Target crashed|Page crashed/i.test(message)) {
        if (entry) entry.crashed = true;
        return fail("page_crashed", `the page crashed (its renderer process is gone): ${message}`);
      }
      return fail("failed", message);
    }
  });

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await browser.close().catch(() => {});
    await server.shutdown().catch(() => {});
    Deno.exit(code);
  };
  browser.on("disconnected", () => {
    if (!stopping) {
      console.error("Chromium went away; the driver exits so that a fresh one is started");
      void shutdown(1);
    }
  });
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => void shutdown(0));
  Deno.addSignalListener("SIGINT", () => void shutdown(0));
  // End of stdin: the supervising gateway is gone (or asks us to stop).
  void (async () => {
    try {
      for await (const _ of Deno.stdin.readable) { /* nothing is sent; wait for EOF */ }
    } catch { /* closed */ }
    await shutdown(0);
  })();
}

if (import.meta.main) await main();
