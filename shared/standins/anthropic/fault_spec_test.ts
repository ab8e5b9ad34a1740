import { assertEquals, assertThrows } from "../../testing/asserts.ts";
import type { AnthropicFault } from "./anthropic_standin.ts";
import { FaultSpecError, parseFaultSpec } from "./fault_spec.ts";

const good: [string, AnthropicFault][] = [
  ["529", { kind: "status", status: 529 }],
  ["429:retry=2", { kind: "status", status: 429, retryAfterS: 2 }],
  ["delay:500", { kind: "delay", ms: 500 }],
  ["slow:100", { kind: "slow", msPerDelta: 100 }],
  ["drop", { kind: "drop" }],
  ["drop:3", { kind: "drop", afterDeltas: 3 }],
  ["stream_error", { kind: "stream_error" }],
  ["stream_error:0", { kind: "stream_error", afterDeltas: 0 }],
];
for (const [spec, fault] of good) {
  Deno.test(`parseFaultSpec() reads '${spec}'`, () => assertEquals(parseFaultSpec(spec), fault));
}

for (const spec of ["", "418", "429:2", "delay", "delay:-1", "slow:x", "drop:1:2", "explode"]) {
  Deno.test(`parseFaultSpec() refuses '${spec}' with an exact error`, () => {
    assertThrows(
      () => parseFaultSpec(spec),
      FaultSpecError,
      `Cannot parse fault '${spec}' as it is not one of: 400|401|403|404|429|500|503|529[:retry=S], delay:MS, drop[:N], slow:MS, stream_error[:N]`,
    );
  });
}
