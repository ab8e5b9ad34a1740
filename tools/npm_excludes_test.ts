import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { z } from "zod";
import { DenoInfo, npmExcludes, reachablePackages } from "./npm_excludes.ts";

const ROOT = "/repo";
const pkg = (name: string, version: string, dependencies: string[] = []) => ({
  name,
  dependencies,
  localPath: `${ROOT}/node_modules/.deno/${name.replace("/", "+")}@${version}/node_modules/${name}`,
});
const SNAPSHOT = {
  "zod@4.0.0": pkg("zod", "4.0.0"),
  "prom-client@15.0.0": pkg("prom-client", "15.0.0", ["tdigest@0.1.2"]),
  "tdigest@0.1.2": pkg("tdigest", "0.1.2", ["bintrees@1.0.2"]),
  "bintrees@1.0.2": pkg("bintrees", "1.0.2"),
  "onnxruntime-node@1.30.0": pkg("onnxruntime-node", "1.30.0"),
  "@scope/unused@1.0.0_zod@4.0.0": pkg("@scope/unused", "1.0.0"),
};
const info = (...npm: string[]) =>
  DenoInfo.parse({
    modules: [{ specifier: "file:///repo/main.ts" }, ...npm.map((n) => ({ npmPackage: n }))],
    npmPackages: SNAPSHOT,
  });
const ORT = "node_modules/.deno/onnxruntime-node@1.30.0/node_modules/onnxruntime-node/bin/napi-v6";

Deno.test("reachablePackages() follows dependencies from every graph's npm modules", () => {
  assertEquals(
    [...reachablePackages([info("zod@4.0.0"), info("prom-client@15.0.0")])].sort(),
    ["bintrees@1.0.2", "prom-client@15.0.0", "tdigest@0.1.2", "zod@4.0.0"],
  );
  assertEquals([...reachablePackages([info()])], []);
});

const cases: { name: string; graphs: string[][]; os: "linux" | "win32"; expected: string[] }[] = [
  {
    name: "an edge-like graph keeps only its own platform's onnxruntime binaries",
    graphs: [["zod@4.0.0", "onnxruntime-node@1.30.0"]],
    os: "win32",
    expected: [
      "node_modules/.deno/@scope+unused@1.0.0/node_modules/@scope/unused",
      "node_modules/.deno/bintrees@1.0.2/node_modules/bintrees",
      `${ORT}/darwin/arm64`,
      `${ORT}/darwin/x64`,
      `${ORT}/linux/arm64`,
      `${ORT}/linux/x64`,
      `${ORT}/win32/arm64`,
      "node_modules/.deno/prom-client@15.0.0/node_modules/prom-client",
      "node_modules/.deno/tdigest@0.1.2/node_modules/tdigest",
    ],
  },
  {
    name: "a gateway-like graph drops onnxruntime and the bintrees test data that crashes compile",
    graphs: [["zod@4.0.0"], ["prom-client@15.0.0"]],
    os: "linux",
    expected: [
      "node_modules/.deno/@scope+unused@1.0.0/node_modules/@scope/unused",
      "node_modules/.deno/bintrees@1.0.2/node_modules/bintrees/test",
      "node_modules/.deno/onnxruntime-node@1.30.0/node_modules/onnxruntime-node",
    ],
  },
];
for (const c of cases) {
  Deno.test(`npmExcludes(): ${c.name}`, () => {
    const infos = c.graphs.map((g) => info(...g));
    assertEquals(
      npmExcludes(infos, { root: ROOT, platform: { os: c.os, arch: "x64" } }),
      c.expected,
    );
  });
}

Deno.test("npmExcludes() never excludes a folder another reachable id shares", () => {
  const shared = pkg("hono", "4.0.0");
  const parsed = DenoInfo.parse({
    modules: [{ npmPackage: "hono@4.0.0_a@1" }],
    npmPackages: { "hono@4.0.0_a@1": shared, "hono@4.0.0_b@2": shared },
  });
  assertEquals(npmExcludes([parsed], { root: ROOT, platform: { os: "linux", arch: "x64" } }), []);
});

Deno.test("npmExcludes() keeps a package that holds an embedded file", () => {
  const model = `${SNAPSHOT["@scope/unused@1.0.0_zod@4.0.0"].localPath}/dist/model.onnx`;
  const excludes = npmExcludes([info("zod@4.0.0", "prom-client@15.0.0")], {
    root: ROOT,
    platform: { os: "linux", arch: "x64" },
    keep: [model],
  });
  assertEquals(excludes.some((p) => p.includes("unused")), false);
  assertEquals(excludes.length, 2);
});

Deno.test("npmExcludes() ignores packages outside the project root (global cache)", () => {
  const parsed = DenoInfo.parse({
    modules: [],
    npmPackages: { "x@1.0.0": { name: "x", localPath: "/home/u/.cache/deno/npm/x/1.0.0" } },
  });
  assertEquals(npmExcludes([parsed], { root: ROOT, platform: { os: "linux", arch: "x64" } }), []);
});

Deno.test("DenoInfo rejects output that is not deno info --json", () => {
  const err = assertThrows(() => DenoInfo.parse({ roots: [] }), z.ZodError);
  assertEquals(err.issues.map((i) => i.path.join(".")), ["modules"]);
});
