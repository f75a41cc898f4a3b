import { z } from "zod";
import { DURATION_HINT, parseDuration } from "./duration.js";

/** A duration string (`10s`, `7d`) parsed into milliseconds; required unless wrapped. */
export function durationString(description: string) {
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
      return ms;
    });
}

/** A duration with a default, written as a string too and parsed the same way. */
export function duration(description: string, fallback: string) {
  return durationString(description).prefault(fallback);
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

/** Keys whose values are secrets: never printed, redacted by {@link redactConfig}. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["token", "secret", "password"]);

/** Hosts that only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}
