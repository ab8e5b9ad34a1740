/**
 * @module
 * The browser driver process: Playwright needs every permission under Deno, so it runs here
 * (`deno run -A`), not in a sandboxed worker. Drives the system Chromium headless, one browser
 * context per job, behind a loopback RPC that requires `BROWSER_DRIVER_TOKEN` on every call.
 * Prints `{"event":"driver_listening","port":N}` on stdout when ready.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { DriverCall, type DriverReply } from "./driver_protocol.ts";

const token = Deno.env.get("BROWSER_DRIVER_TOKEN") ?? "";
if (token.length < 16) {
  console.error("BROWSER_DRIVER_TOKEN must be set (16+ characters)");
  Deno.exit(2);
}

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

const browser: Browser = await chromium.launch({
  executablePath: Deno.env.get("CHROMIUM_PATH") || "/usr/bin/chromium",
  headless: true,
  args: CHROMIUM_ARGS,
});
const contexts = new Map<string, { context: BrowserContext; page: Page }>();

async function handle(call: ReturnType<typeof DriverCall.parse>): Promise<DriverReply> {
  if (call.op === "open_context") {
    const context = await browser.newContext({
      viewport: { width: call.width, height: call.height },
    });
    const page = await context.newPage();
    const id = `ctx-${crypto.randomUUID()}`;
    contexts.set(id, { context, page });
    return { ok: true, context: id, url: page.url() };
  }
  const entry = contexts.get(call.context);
  if (!entry) return { ok: false, error: `unknown browser context '${call.context}'` };
  const { page } = entry;
  switch (call.op) {
    case "close_context":
      contexts.delete(call.context);
      await entry.context.close();
      return { ok: true };
    case "navigate":
      await page.goto(call.url, { waitUntil: "load", timeout: call.timeout_ms });
      break;
    case "screenshot":
      return {
        ok: true,
        url: page.url(),
        png_base64: (await page.screenshot({ type: "png" })).toString("base64"),
      };
    case "click":
      await page.mouse.click(call.x, call.y);
      // A click may start a navigation a moment later; give it the chance before reporting.
      await page.waitForTimeout(150);
      await page.waitForLoadState("load", { timeout: 10_000 }).catch(() => {});
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
        await page.waitForLoadState("load", { timeout: 10_000 }).catch(() => {});
      }
      break;
    case "key":
      await page.keyboard.press(
        call.keys.split("+").map((k) => k.charAt(0).toUpperCase() + k.slice(1)).join("+"),
      );
      break;
    case "scroll_document": {
      const d = { up: [0, -800], down: [0, 800], left: [-800, 0], right: [800, 0] }[call.direction];
      await page.mouse.wheel(d[0]!, d[1]!);
      break;
    }
    case "scroll_at": {
      await page.mouse.move(call.x, call.y);
      const m = call.magnitude;
      const d = { up: [0, -m], down: [0, m], left: [-m, 0], right: [m, 0] }[call.direction];
      await page.mouse.wheel(d[0]!, d[1]!);
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
      return { ok: true, url: page.url(), found };
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

const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(JSON.stringify({ event: "driver_listening", port })),
}, async (req) => {
  if (req.headers.get("authorization") !== `Bearer ${token}`) {
    return Response.json({ ok: false, error: "unauthorized" }, { status: 401 });
  }
  let call;
  try {
    call = DriverCall.parse(await req.json());
  } catch (err) {
    return Response.json({
      ok: false,
      error: `bad call: ${err instanceof Error ? err.message.slice(0, 300) : err}`,
    }, { status: 400 });
  }
  try {
    return Response.json(await handle(call));
  } catch (err) {
    return Response.json({
      ok: false,
      error: err instanceof Error ? err.message.split("\n")[0] : String(err),
    });
  }
});

const shutdown = async () => {
  await browser.close().catch(() => {});
  await server.shutdown();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);
