import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { bindSileroInputs, graphInputs, ModelLayoutError } from "./bind_silero_inputs.ts";

const dist = new URL("../../node_modules/@ricky0123/vad-web/dist/", import.meta.url);
const v5 = await Deno.readFile(new URL("silero_vad_v5.onnx", dist));

Deno.test("bindSileroInputs drops sr and fixes the window's shape, leaving the rest", () => {
  assertEquals(graphInputs(v5), [
    { name: "input", dims: [-1, -1] },
    { name: "state", dims: [2, -1, 128] },
    { name: "sr", dims: [] },
  ]);
  const bound = bindSileroInputs(v5, { sampleRate: 16000, samples: 576 });
  assertEquals(graphInputs(bound), [
    { name: "input", dims: [1, 576] },
    { name: "state", dims: [2, -1, 128] },
  ]);
  // sr is now a constant of 16000 (int64, little-endian) in the graph.
  const sr = new Uint8Array(8);
  new DataView(sr.buffer).setBigInt64(0, 16000n, true);
  const tail = bound.subarray(bound.length - 40);
  const at = tail.findIndex((_, i) => sr.every((b, k) => tail[i + k] === b));
  assertEquals(at >= 0, true);
  // Everything else is kept: the weights and nodes are most of the bytes.
  assertEquals(Math.abs(bound.length - v5.length) < 64, true);
});

Deno.test("bindSileroInputs refuses a model with other inputs", () => {
  const legacy = Deno.readFileSync(new URL("silero_vad_legacy.onnx", dist));
  assertThrows(
    () => bindSileroInputs(legacy, { sampleRate: 16000, samples: 576 }),
    ModelLayoutError,
    "Cannot bind the model's inputs: Silero v5 has inputs input, state, sr; this one has input, sr, h, c",
  );
});

Deno.test("bindSileroInputs refuses bytes that are not a model", () => {
  assertThrows(
    () =>
      bindSileroInputs(new TextEncoder().encode("not a model"), {
        sampleRate: 16000,
        samples: 576,
      }),
    ModelLayoutError,
  );
  assertThrows(
    () => bindSileroInputs(v5.subarray(0, 1000), { sampleRate: 16000, samples: 576 }),
    ModelLayoutError,
    "runs past its end",
  );
});
