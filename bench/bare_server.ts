/**
 * @module
 * Baseline for HTTP benchmarks: a bare `Deno.serve` handler that reads the body and answers 202.
 * Prints `{"event":"listening","url":...}` like the gateway.
 */
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) =>
    console.log(JSON.stringify({ event: "listening", url: `http://127.0.0.1:${port}` })),
}, async (req) => {
  await req.arrayBuffer();
  return Response.json({ accepted: true }, { status: 202 });
});
