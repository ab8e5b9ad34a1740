import { assertThrows } from "@shared/testing/asserts.ts";
import { InvalidRetryPolicyError, validateRetryPolicy } from "./retry_policy.ts";

const policy = { attempts: 5, base_delay_ms: 100, max_delay_ms: 1000, timeout_ms: 1000 };

Deno.test("validateRetryPolicy() rejects zero attempts with the exact message", () => {
  assertThrows(
    () => validateRetryPolicy({ ...policy, attempts: 0 }),
    InvalidRetryPolicyError,
    "Cannot retry as 'attempts' must be a positive integer: current value is 0",
  );
});

Deno.test("validateRetryPolicy() rejects max below base", () => {
  assertThrows(
    () => validateRetryPolicy({ ...policy, max_delay_ms: 50 }),
    InvalidRetryPolicyError,
    "Cannot retry as 'max_delay_ms' must be at least 'base_delay_ms' (100): current value is 50",
  );
});
