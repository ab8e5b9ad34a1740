import { assertEquals } from "@shared/testing/asserts.ts";
import { DueTracker } from "./due_tracker.ts";

Deno.test("DueTracker: unknown until read, then trusted until due or old", () => {
  const due = new DueTracker(1000);
  assertEquals(due.stale(0), true);
  due.read(due.mark(), 0, 500);
  assertEquals([due.stale(1), due.stale(499), due.next()], [false, false, 500]);
  assertEquals(due.stale(500), true);
  due.read(due.mark(), 0, null);
  assertEquals([due.stale(999), due.stale(1000), due.next()], [false, true, null]);
});

Deno.test("DueTracker: a delayed write brings the due time forward at once", () => {
  const due = new DueTracker(1000);
  due.read(due.mark(), 0, null);
  due.delayed(40);
  assertEquals([due.stale(39), due.stale(40), due.next()], [false, true, 40]);
  due.delayed(400); // later than what is known: the earlier one stays
  assertEquals(due.next(), 40);
});

Deno.test("DueTracker: a write made while a read was in flight is not lost", () => {
  const due = new DueTracker(1000);
  due.read(due.mark(), 0, null);
  const mark = due.mark();
  due.delayed(30); // committed after the read's snapshot was taken
  due.read(mark, 5, null);
  assertEquals([due.stale(29), due.stale(30)], [false, true]);
});

Deno.test("DueTracker: a clock that goes back reads again", () => {
  const due = new DueTracker(1000);
  due.read(due.mark(), 100, null);
  assertEquals([due.stale(100), due.stale(99)], [false, true]);
});
