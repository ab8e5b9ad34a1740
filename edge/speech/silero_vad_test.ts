/**
 * Silero v5 on real speech (espeak-ng) through both ONNX runtimes, and the fallback from the
 * native runtime to WASM when FFI is not allowed.
 */
import { assert, assertEquals, assertRejects } from "@shared/testing/asserts.ts";
import { Segmenter } from "./segmenter.ts";
import { SileroVad, VadModelError, WINDOW } from "./silero_vad.ts";

async function speech(dir: string): Promise<Float32Array> {
  const raw = `${dir}/s.raw.wav`;
  const pcm = `${dir}/s.pcm`;
  for (
    const [cmd, args] of [
      ["espeak-ng", ["-v", "en-us", "-w", raw, "Open the dashboard and check the deploy."]],
      ["sox", [
        raw,
        "-t",
        "raw",
        "-e",
        "signed-integer",
        "-b",
        "16",
        "-c",
        "1",
        "-r",
        "16000",
        pcm,
        "pad",
        "1",
        "1",
      ]],
    ] as const
  ) {
    const out = await new Deno.Command(cmd, { args: [...args], stderr: "piped" }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  }
  const bytes = await Deno.readFile(pcm);
  const ints = new Int16Array(bytes.buffer, 0, bytes.length >> 1);
  return Float32Array.from(ints, (s) => s / 32768);
}

async function probabilities(vad: SileroVad, audio: Float32Array): Promise<number[]> {
  const out: number[] = [];
  for (let o = 0; o + WINDOW <= audio.length; o += WINDOW) {
    out.push(await vad.probability(audio.subarray(o, o + WINDOW)));
  }
  return out;
}

Deno.test("SileroVad gives the same probabilities on onnxruntime-node and onnxruntime-web", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-silero-" });
  try {
    const audio = await speech(dir);
    const native = await SileroVad.load(undefined, { runtime: "node" });
    const wasm = await SileroVad.load(undefined, { runtime: "web" });
    assertEquals([native.runtime, wasm.runtime], ["onnxruntime-node", "onnxruntime-web"]);
    const a = await probabilities(native, audio);
    const b = await probabilities(wasm, audio);
    await native.close();
    await wasm.close();
    assertEquals(a.length, b.length);
    const worst = Math.max(...a.map((p, i) => Math.abs(p - b[i]!)));
    assert(worst < 0.01, `largest difference ${worst}`);
    // The padding is silence and the middle is speech: the model really ran.
    const windowsPerSecond = 16000 / WINDOW;
    assert(Math.max(...a.slice(0, windowsPerSecond - 2)) < 0.1, "silence before the speech");
    assert(a.filter((p) => p > 0.9).length > windowsPerSecond, "at least 1 s of clear speech");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const runtime of ["node", "web"] as const) {
  Deno.test(`SileroVad on ${runtime}: the bound model gives exactly the shipped model's probabilities`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "edge-silero-" });
    try {
      const audio = await speech(dir);
      const bound = await SileroVad.load(undefined, { runtime });
      const shipped = await SileroVad.load(undefined, { runtime, bindInputs: false });
      assertEquals([bound.inputsBound, shipped.inputsBound], [true, false]);
      const a = await probabilities(bound, audio);
      const b = await probabilities(shipped, audio);
      await bound.close();
      await shipped.close();
      // Equal, not close: the same kernels on the same weights, the recurrent state included.
      assertEquals(a, b);
      assert(a.some((p) => p > 0.9) && a.some((p) => p < 0.1), "speech and silence both seen");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const runtime of ["node", "web"] as const) {
  Deno.test(`SileroVad on ${runtime}: after reset() the model runs as if just loaded`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "edge-silero-" });
    try {
      const audio = await speech(dir);
      const fresh = await SileroVad.load(undefined, { runtime });
      const reused = await SileroVad.load(undefined, { runtime });
      const expected = await probabilities(fresh, audio);
      // An odd number of windows first, so that the state lands in either of its buffers.
      await probabilities(reused, audio.subarray(0, 7 * WINDOW + 100));
      await probabilities(reused, audio.subarray(WINDOW * 40));
      reused.reset();
      const again = await probabilities(reused, audio);
      await fresh.close();
      await reused.close();
      assertEquals(again, expected);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("SileroVad runs a model it cannot bind as shipped", async () => {
  // The legacy Silero model has other inputs (h and c instead of state): it cannot be bound,
  // and it does not run as v5 either, which is the model's own error to report.
  const legacy = new URL(
    "../../node_modules/@ricky0123/vad-web/dist/silero_vad_legacy.onnx",
    import.meta.url,
  );
  const vad = await SileroVad.load(legacy.pathname);
  assertEquals(vad.inputsBound, false);
  await assertRejects(() => vad.probability(new Float32Array(WINDOW)));
  await vad.close();
});

Deno.test("SileroVad.load() names the model path it could not find", async () => {
  await assertRejects(
    () => SileroVad.load("/nonexistent/silero.onnx"),
    VadModelError,
    "Silero VAD model not found at '/nonexistent/silero.onnx': run 'deno install' (it ships in @ricky0123/vad-web) or set VAD_MODEL_PATH",
  );
});

Deno.test("SileroVad.load() rejects a file that is not an ONNX model", async () => {
  const path = await Deno.makeTempFile({ suffix: ".onnx" });
  try {
    await Deno.writeTextFile(path, "not a model");
    const err = await assertRejects(() => SileroVad.load(path, { runtime: "web" }), VadModelError);
    assert(
      err.message.startsWith(`Cannot load the Silero VAD model '${path}' with onnxruntime-web: `),
      err.message,
    );
  } finally {
    await Deno.remove(path);
  }
});

/** Runs a script in a child Deno without --allow-ffi. */
async function withoutFfi(code: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = new URL("../..", import.meta.url).pathname;
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(script, code);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--config", `${root}deno.json`, "--allow-read", "--allow-env", script],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout).trim(),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } finally {
    await Deno.remove(script);
  }
}

Deno.test("SileroVad falls back to onnxruntime-web without --allow-ffi, unless node is required", async () => {
  const module = new URL("./silero_vad.ts", import.meta.url).href;
  const r = await withoutFfi(`
    import { SileroVad } from "${module}";
    const auto = await SileroVad.load();
    console.log(auto.runtime);
    await auto.close();
    try { await SileroVad.load(undefined, { runtime: "node" }); } catch (e) { console.log(e.name, e.message); }
  `);
  assertEquals(r.code, 0, r.stderr);
  const [runtime, error = ""] = r.stdout.split("\n");
  assertEquals(runtime, "onnxruntime-web");
  assert(
    error.startsWith("VadModelError Cannot load onnxruntime-node (Requires ffi access"),
    error,
  );
  assert(
    error.endsWith("): use --vad-runtime web to run Silero on onnxruntime-web"),
    error,
  );
});

Deno.test("Segmenter on Silero: batched windows give identical probabilities and segments", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const audio = await speech(dir);
    const run = async (perWindow: boolean) => {
      const vad = await SileroVad.load();
      const seen: number[] = [];
      const segmenter = new Segmenter(
        {
          async probability(window) {
            const p = await vad.probability(window);
            seen.push(p);
            return p;
          },
        },
        {},
        { perWindow },
      );
      const ends: unknown[] = [];
      const ints = Int16Array.from(audio, (x) => Math.round(x * 32768));
      for (let i = 0; i + 320 <= ints.length; i += 320) {
        const frame = { samples: ints.slice(i, i + 320), t_ms: i / 16, index: i / 320 };
        for (const e of await segmenter.push(frame)) {
          if (e.type === "speech_end") ends.push([i, e.start_ms, e.end_ms, e.audio.length]);
        }
      }
      // The windows still waiting run when the stream ends.
      for (const e of await segmenter.flush()) {
        if (e.type === "speech_end") ends.push(["flush", e.start_ms, e.end_ms, e.audio.length]);
      }
      await vad.close();
      return { seen, ends };
    };
    const batched = await run(false);
    const single = await run(true);
    assertEquals(batched.ends.length, 1);
    assertEquals(batched.ends, single.ends);
    // Exactly equal, not within a tolerance: the same windows reach the model in the same order.
    assertEquals(batched.seen, single.seen);
    assert(batched.seen.some((p) => p >= 0.5));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
