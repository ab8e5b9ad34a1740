/**
 * @module
 * Router accuracy: exact matches of the routed intent set on the labelled evaluation set
 * (`gateway/router/eval/utterances.json`), overall, per split and per class, with a confusion
 * table and the misses on stderr. The offline router: the lexicons and the learned model, no
 * network. The learned model learns from this very set, so each split is routed by a model
 * trained without it; the blind set is routed by the shipped model, which never saw it. A file
 * path argument scores that set instead.
 */
import { emit } from "./report.ts";
import { evaluate, formatConfusion, loadEvalSet } from "../gateway/router/eval/router_eval.ts";
import { routeUtterance } from "../gateway/router/router.ts";
import { routeOffline } from "../gateway/router/learned/corpus_model.ts";
import { routeHeldOut } from "../gateway/router/learned/held_out.ts";
import { DEFAULT_MARGIN_THRESHOLD } from "../gateway/router/routing.ts";
import { createSkillSet } from "../gateway/skills/registry.ts";

// `deno run --allow-read --allow-env bench/router_bench.ts FILE.json` scores another set of the
// same form: new sentences, measured before any change they lead to.
const items = await loadEvalSet(
  Deno.args[0] ? new URL(Deno.args[0], `file://${Deno.cwd()}/`) : undefined,
);
const set = createSkillSet();
let unsure = 0;
// The learned model is trained on the evaluation set: each split is routed by a model trained
// without it, so that the figures say what happens to requests it has never seen. Another file
// is new to the shipped model, which routes it.
const heldOut = Deno.args[0] ? undefined : routeHeldOut(items, set.registered);
const report = evaluate(
  items,
  (text) => heldOut?.get(text) ?? routeOffline(text, set.registered).tasks.map((t) => t.intent),
);
const lexicons = evaluate(items, (text) => {
  const routed = routeUtterance(text, set.registered);
  if (routed.unrouted || routed.margin < DEFAULT_MARGIN_THRESHOLD) unsure++;
  return routed.tasks.map((t) => t.intent);
});
// Routing runs on every POST /task: its cost per request, warm (after the pass above).
const PASSES = 10;
const started = performance.now();
for (let i = 0; i < PASSES; i++) {
  for (const item of items) routeOffline(item.text, set.registered);
}
const meanUs = (performance.now() - started) * 1000 / (PASSES * items.length);

const pct = (x: number) => Math.round(x * 1000) / 10;
emit({
  bench: "router",
  name: `exact-match accuracy, all ${report.overall.total} utterances`,
  value: pct(report.overall.accuracy),
  unit: "%",
  goal: "≥ 95 %",
  met: report.overall.accuracy >= 0.95,
  notes: heldOut
    ? "lexicons + learned model; each split routed by a model trained without it"
    : "lexicons + the shipped learned model",
});
emit({
  bench: "router",
  name: `exact-match accuracy, all ${lexicons.overall.total} utterances, lexicons alone`,
  value: pct(lexicons.overall.accuracy),
  unit: "%",
});
emit({
  bench: "router",
  name: `--router auto would ask the model (no match, or margin < ${DEFAULT_MARGIN_THRESHOLD})`,
  value: pct(unsure / items.length),
  unit: "%",
  notes: "out-of-scope requests included: they match nothing",
});
emit({
  bench: "router",
  name: "route one utterance (lexicons + learned model, warm), mean",
  value: Math.round(meanUs),
  unit: "µs",
});
for (const [split, a] of Object.entries(report.bySplit)) {
  emit({
    bench: "router",
    name: `exact-match accuracy, ${split} split (${a.total})`,
    value: pct(a.accuracy),
    unit: "%",
  });
}
for (const [cls, a] of Object.entries(report.byClass).sort()) {
  emit({
    bench: "router",
    name: `exact-match accuracy, class ${cls} (${a.total})`,
    value: pct(a.accuracy),
    unit: "%",
  });
}
// The blind set is never tuned on: only its score is shown, not its misses, so that it stays a
// measure of how the router does on sentences nobody fitted it to.
if (!Deno.args[0]) {
  const blindItems = await loadEvalSet(
    new URL("../gateway/router/eval/blind.json", import.meta.url),
  );
  const blind = evaluate(
    blindItems,
    (text) => routeOffline(text, set.registered).tasks.map((t) => t.intent),
  );
  const blindLexicons = evaluate(
    blindItems,
    (text) => routeUtterance(text, set.registered).tasks.map((t) => t.intent),
  );
  emit({
    bench: "router",
    name: `exact-match accuracy, blind set, never tuned on (${blind.overall.total})`,
    value: pct(blind.overall.accuracy),
    unit: "%",
    goal: "≥ 95 %",
    met: blind.overall.accuracy >= 0.95,
    notes: "lexicons + learned model (trained on the whole evaluation set, never on this one); " +
      "misses are not printed",
  });
  emit({
    bench: "router",
    name: `exact-match accuracy, blind set, lexicons alone (${blindLexicons.overall.total})`,
    value: pct(blindLexicons.overall.accuracy),
    unit: "%",
  });
}
console.error("\nconfusion (rows: expected intents, columns: routed intents)\n");
console.error(formatConfusion(report.confusion));
if (report.misses.length) {
  console.error(`\nmisses (${report.misses.length}):`);
  for (const { item, got } of report.misses) {
    console.error(
      `  [${item.class}/${item.split}] ${JSON.stringify(item.text)} → ${
        got.join("+") || "(none)"
      } (expected ${item.intents.join("+") || "(none)"})`,
    );
  }
}
await set.close();
