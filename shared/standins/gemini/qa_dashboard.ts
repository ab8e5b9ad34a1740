/**
 * @module
 * A QA dashboard page for browser tests and the demo: a deploy status, a form, a button, a link
 * to a second page and a long body to scroll, laid out at fixed positions so that clicks scaled
 * from the model's 0–999 grid (1440×900 viewport) land on known elements. Served alone by
 * {@link serveQaDashboard}, or at `/qa/` by the Gemini stand-in.
 */

/** The deploy status the page shows. */
export const QA_DEPLOY_STATUS = "PASSING";

/** Element centres in the 0–999 grid for a 1440×900 viewport. */
export const QA_TARGETS = {
  status: { x: 208, y: 183 }, // #deploy-status at 200..400 × 140..190 px
  note: { x: 208, y: 344 }, // input#note at 200..400 × 290..330 px
  save: { x: 340, y: 344 }, // button#save at 440..540 × 290..330 px
  details: { x: 173, y: 489 }, // a#details at 200..300 × 430..450 px
  pad: { x: 625, y: 211 }, // #pad at 800..1000 × 140..240 px, logs mouse buttons into #pad-log
};

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>QA dashboard</title>
<style>
  body { margin: 0; font: 16px sans-serif; height: 3000px; }
  #title { position: absolute; left: 200px; top: 60px; margin: 0; }
  #deploy-status { position: absolute; left: 200px; top: 140px; width: 200px; height: 50px; line-height: 50px; background: #cfc; }
  #note { position: absolute; left: 200px; top: 290px; width: 200px; height: 40px; box-sizing: border-box; }
  #save { position: absolute; left: 440px; top: 290px; width: 100px; height: 40px; }
  #saved { position: absolute; left: 600px; top: 300px; }
  #details { position: absolute; left: 200px; top: 430px; width: 100px; height: 20px; }
  #footer { position: absolute; left: 200px; top: 2400px; margin: 0; }
  #pad { position: absolute; left: 800px; top: 140px; width: 200px; height: 100px; background: #ccf; user-select: none; }
  #pad-log { position: absolute; left: 800px; top: 260px; width: 500px; font-size: 12px; }
</style></head>
<body>
  <h1 id="title">QA dashboard</h1>
  <div id="deploy-status">Deploy status: ${QA_DEPLOY_STATUS}</div>
  <input id="note" name="note" placeholder="note">
  <button id="save" onclick="const n = document.getElementById('note').value; fetch('notes', { method: 'POST', body: n }); document.getElementById('saved').textContent = 'Saved: ' + n">Save</button>
  <span id="saved"></span>
  <a id="details" href="details.html">Details</a>
  <p id="footer">End of the QA report</p>
  <div id="pad">pad</div>
  <div id="pad-log"></div>
  <script>
    // What reached the pad: "down:<button>:<click count>", "up:<button>", "dblclick",
    // "contextmenu:<button>", "auxclick:<button>", and the Shift key going down and up.
    const log = (t) => { const l = document.getElementById('pad-log'); l.textContent = (l.textContent + ' ' + t).trim(); };
    const pad = document.getElementById('pad');
    pad.addEventListener('mousedown', (e) => log('down:' + e.button + ':' + e.detail));
    pad.addEventListener('mouseup', (e) => log('up:' + e.button));
    pad.addEventListener('dblclick', () => log('dblclick'));
    pad.addEventListener('contextmenu', (e) => { e.preventDefault(); log('contextmenu:' + e.button); });
    pad.addEventListener('auxclick', (e) => log('auxclick:' + e.button));
    document.addEventListener('keydown', (e) => { if (e.key === 'Shift' && !e.repeat) log('keydown:Shift'); });
    document.addEventListener('keyup', (e) => { if (e.key === 'Shift') log('keyup:Shift'); });
  </script>
</body></html>`;

const DETAILS =
  `<!doctype html><html><head><meta charset="utf-8"><title>Deploy details</title></head>
<body><h1>Deploy details</h1><p id="build">Build 1234 deployed to staging: ${QA_DEPLOY_STATUS}</p></body></html>`;

/** A page whose script never yields: its load event never fires. */
const HANG = `<!doctype html><html><body><script>while (true) {}</script></body></html>`;

/**
 * Answers `/qa/`, `/qa/details.html`, `/qa/hang.html` and the Save button's `POST /qa/notes`
 * (its note goes into `saved`, so tests see what a click really did); null for any other path.
 */
export function qaDashboardHandler(
  req: Request,
  saved: string[] = [],
): Response | Promise<Response> | null {
  const path = new URL(req.url).pathname;
  if (path === "/qa/notes" && req.method === "POST") {
    return req.text().then((note) => {
      saved.push(note.slice(0, 1000));
      return new Response(null, { status: 204 });
    });
  }
  const html = (body: string) =>
    new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } });
  if (path === "/qa/" || path === "/qa/index.html") return html(PAGE);
  if (path === "/qa/details.html") return html(DETAILS);
  if (path === "/qa/hang.html") return html(HANG);
  return null;
}

/** Serves the QA dashboard alone on a loopback port; `url` ends in `/qa/`. */
export function serveQaDashboard(
  options: { port?: number } = {},
): { url: string; close(): Promise<void> } {
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, signal: ac.signal, onListen() {} },
    (req) => qaDashboardHandler(req) ?? new Response("not found", { status: 404 }),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/qa/`,
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}
