import { z } from "zod";
import { DURATION_HINT, parseDuration, type Millis } from "./duration.js";

/** Inclusive bounds of a duration, written as durations (`1s`, `30m`). */
export interface DurationRange {
  readonly min: string;
  readonly max: string;
}

function rangeMs(range: DurationRange): { min: Millis; max: Millis; hint: string } {
  const min = parseDuration(range.min);
  const max = parseDuration(range.max);
  if (min === null || max === null) throw new Error(`bad duration range ${range.min}..${range.max}`);
  return { min, max, hint: `allowed ${range.min} to ${range.max}` };
}

/**
 * A duration string (`10s`, `7d`) parsed into milliseconds; required unless wrapped. With `range`,
 * a value outside it is an error naming the bounds.
 */
export function durationString(description: string, range?: DurationRange) {
  const bounds = range === undefined ? null : rangeMs(range);
  return z
    .string()
    .meta({ format: "duration", description })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null) {
        ctx.addIssue({
          code: "custom",
          message: "invalid duration",
          params: { received: text, hint: DURATION_HINT },
        });
        return z.NEVER;
      }
      if (bounds !== null && (ms < bounds.min || ms > bounds.max)) {
        ctx.addIssue({
          code: "custom",
          message: "out of range",
          params: { received: text, hint: bounds.hint },
        });
        return z.NEVER;
      }
      return ms;
    });
}

/** A duration with a default, written as a string too and parsed the same way. */
export function duration(description: string, fallback: string, range?: DurationRange) {
  return durationString(description, range).prefault(fallback);
}

/** A TCP port; 0 asks the OS for a free one (tests). */
export const port = z.number().int().min(0).max(65_535);

/** A non-empty string without surrounding whitespace. */
export const name = z
  .string()
  .min(1, "must not be empty")
  .refine((s) => s.trim() === s, "must not start or end with whitespace");

/** A positive integer count (limits, sizes). */
export const positiveInt = z.number().int().positive();

/** A probability-like number in [0, 1]. */
export const unit = z.number().min(0).max(1);

/** An http(s) URL. */
export const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });

/**
 * An http(s) URL a sink sends to: no user name or password in it (they would be printed wherever
 * the URL is); credentials go in the sink's `auth`.
 */
export const sinkUrl = httpUrl.refine(
  (url) => {
    const parsed = URL.parse(url);
    return parsed === null || (parsed.username === "" && parsed.password === "");
  },
  {
    message:
      'must not contain a user name or password; set auth: { type: basic, username: ..., password: "${VAR}" } or { type: bearer, token: "${VAR}" } instead',
  },
);

/** Keys whose values are secrets: never printed, redacted by {@link redactConfig}. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["token", "secret", "password"]);

/** Hosts that only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}
