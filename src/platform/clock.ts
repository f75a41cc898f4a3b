import type { Clock } from "../core/clock.js";

/** The wall clock, for the live service. */
export const systemClock: Clock = { now: () => Date.now() };
