import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { shippedPermissions, taskPermissions } from "./task_permissions.ts";

Deno.test("taskPermissions() takes a task's --allow-* flags and refuses a task without any", () => {
  const config = {
    tasks: {
      gateway: "deno run --allow-net --allow-run=git,tar gateway/main.ts --port 1",
      lint: "deno lint",
    },
  };
  assertEquals(taskPermissions(config, "gateway"), ["--allow-net", "--allow-run=git,tar"]);
  assertThrows(() => taskPermissions(config, "edge"), Error, "deno.json has no 'edge' task");
  assertThrows(
    () => taskPermissions(config, "lint"),
    Error,
    "the 'lint' task in deno.json grants no permissions",
  );
});

Deno.test("the shipped gateway may run only git, tar and deno; nothing ships --allow-all", async () => {
  const gateway = await shippedPermissions("gateway");
  assertEquals(gateway.filter((f) => f.startsWith("--allow-run")), [
    "--allow-run=git,tar,deno",
  ]);
  for (const task of ["edge", "gateway", "worker", "demo"] as const) {
    assertEquals((await shippedPermissions(task)).includes("--allow-all"), false);
  }
});
