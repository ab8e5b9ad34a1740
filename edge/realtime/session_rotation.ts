/**
 * @module
 * When to replace a realtime session before the provider ends it. A GA Realtime session lasts
 * at most 60 minutes; past that the API sends `session_expired` and closes the socket. The
 * client rotates earlier: from the soft deadline (55 minutes by default) at the first quiet
 * moment, so no utterance straddles two sessions, and at the hard deadline (30 s before the
 * limit) even mid-utterance, re-sending the held audio on the new session. Pure: no timers.
 */

/** The GA session limit. */
export const SESSION_LIFETIME_MS = 60 * 60_000;

/** Settings of {@linkcode rotationSchedule}. */
export interface SessionRotationSettings {
  /** The provider's session limit. @default 3_600_000 */
  sessionLifetimeMs?: number;
  /** Rotate this long before the limit, at the first quiet moment. @default 300_000 */
  rotateBeforeMs?: number;
  /** Rotate this long before the limit even mid-utterance. @default 30_000 */
  forceRotateBeforeMs?: number;
}

/** Delays, from now, of the two rotation deadlines of a session. */
export interface RotationSchedule {
  /** From here on, rotate as soon as nothing is in flight. */
  softInMs: number;
  /** Rotate now whatever is in flight (held audio is re-sent). */
  hardInMs: number;
}

/** Thrown for rotation settings that cannot keep a session inside its limit. */
export class RotationSettingsError extends RangeError {
  override name = "RotationSettingsError";
}

function check(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RotationSettingsError(
      `Cannot schedule session rotation as '${name}' must be a non-negative number of ms: current value is ${value}`,
    );
  }
}

/**
 * The rotation deadlines of a session that has been open for `elapsedMs` (the limit runs
 * from the connection, not from the session becoming ready).
 */
export function rotationSchedule(
  settings: SessionRotationSettings = {},
  elapsedMs = 0,
): RotationSchedule {
  const lifetime = settings.sessionLifetimeMs ?? SESSION_LIFETIME_MS;
  const soft = settings.rotateBeforeMs ?? 300_000;
  const hard = settings.forceRotateBeforeMs ?? 30_000;
  check("sessionLifetimeMs", lifetime);
  check("rotateBeforeMs", soft);
  check("forceRotateBeforeMs", hard);
  if (hard > soft) {
    throw new RotationSettingsError(
      `Cannot schedule session rotation as 'forceRotateBeforeMs' must not exceed 'rotateBeforeMs' (${soft}): current value is ${hard}`,
    );
  }
  if (soft >= lifetime) {
    throw new RotationSettingsError(
      `Cannot schedule session rotation as 'rotateBeforeMs' must be less than 'sessionLifetimeMs' (${lifetime}): current value is ${soft}`,
    );
  }
  const elapsed = Math.max(0, elapsedMs);
  const softInMs = Math.max(0, lifetime - soft - elapsed);
  return { softInMs, hardInMs: Math.max(softInMs, lifetime - hard - elapsed) };
}
