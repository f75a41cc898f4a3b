import type { z } from "zod";
import { formatPath } from "./env.js";
import { SECRET_KEYS } from "./primitives.js";
import { closest } from "./suggest.js";

/** What the formatter knows about where values came from, so it never prints a secret. */
export interface IssueContext {
  /** Paths whose value was interpolated from `${VAR}`. */
  readonly fromEnv: ReadonlySet<string>;
  /** Paths written by an environment override, with the variable name. */
  readonly overridden: ReadonlyMap<string, string>;
  /** The keys allowed on the mapping at a path, to suggest one for an unknown key. */
  readonly knownKeys?: (path: readonly PropertyKey[]) => readonly string[];
}

function mayEcho(path: readonly PropertyKey[], ctx: IssueContext): boolean {
  const text = formatPath(path);
  const last = path[path.length - 1];
  return (
    !(typeof last === "string" && SECRET_KEYS.has(last)) &&
    !ctx.fromEnv.has(text) &&
    !ctx.overridden.has(text)
  );
}

function describeReceived(input: unknown): string {
  if (input === undefined) return "nothing";
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a mapping";
  return `${typeof input}`;
}

/** `; did you mean "x"?` when `written` is close to one of `allowed`, else nothing. */
function didYouMean(written: unknown, allowed: readonly unknown[]): string {
  if (typeof written !== "string") return "";
  const guess = closest(
    written,
    allowed.filter((a): a is string => typeof a === "string"),
  );
  return guess === undefined ? "" : `; did you mean "${guess}"?`;
}

/** An unknown key, with the key it was probably meant to be, or the keys allowed there. */
function unknownKey(key: string, known: readonly string[]): string {
  const guess = closest(key, known);
  if (guess !== undefined) return `unknown key (did you mean "${guess}"?)`;
  return known.length === 0 ? "unknown key" : `unknown key (expected one of ${known.join(", ")})`;
}

/** A discriminated union names the unknown discriminator value and the known ones. */
function unionMessage(issue: z.core.$ZodIssue, path: readonly PropertyKey[], echo: boolean): string {
  const options = (issue as { options?: unknown }).options;
  if (!Array.isArray(options)) return issue.message;
  const input = issue.input as unknown;
  const value =
    typeof input === "object" && input !== null
      ? (input as Record<string, unknown>)[String(path.at(-1))]
      : input;
  const got = echo && value !== undefined ? ` "${String(value)}"` : "";
  const hint = echo ? didYouMean(value, options) : "";
  return `unknown value${got} (expected one of ${options.join(", ")})${hint}`;
}

/** One readable message per issue (unknown keys become one line each). */
function messages(issue: z.core.$ZodIssue, ctx: IssueContext): { path: PropertyKey[]; text: string }[] {
  const path = [...issue.path];
  const echo = mayEcho(path, ctx);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = ctx.knownKeys?.(path) ?? [];
      return issue.keys.map((key) => ({ path: [...path, key], text: unknownKey(key, known) }));
    }
    case "invalid_type":
      if (issue.input === undefined) return [{ path, text: "is required" }];
      return [{ path, text: `expected ${issue.expected}, got ${describeReceived(issue.input)}` }];
    case "invalid_union":
      return [{ path, text: unionMessage(issue, path, echo) }];
    case "invalid_value": {
      const got = echo && issue.input !== undefined ? ` "${String(issue.input)}"` : "";
      const hint = echo ? didYouMean(issue.input, issue.values) : "";
      return [
        { path, text: `invalid value${got} (expected ${issue.values.map(String).join(" | ")})${hint}` },
      ];
    }
    case "too_big":
      return [
        {
          path,
          text: `must be ${issue.inclusive === false ? "<" : "<="} ${String(issue.maximum)}${issue.origin === "array" ? " items" : ""}`,
        },
      ];
    case "too_small":
      if (issue.origin === "string" && issue.minimum === 1) return [{ path, text: "must not be empty" }];
      return [
        {
          path,
          text: `must be ${issue.inclusive === false ? ">" : ">="} ${String(issue.minimum)}${issue.origin === "array" ? " items" : issue.origin === "string" ? " characters long" : ""}`,
        },
      ];
    case "custom": {
      const params = (issue.params ?? {}) as { received?: unknown; hint?: string };
      const got = echo && params.received !== undefined ? ` "${String(params.received)}"` : "";
      const hint = params.hint === undefined ? "" : ` (${params.hint})`;
      return [{ path, text: `${issue.message}${got}${hint}` }];
    }
    default:
      return [{ path, text: issue.message }];
  }
}

/** Formats zod issues as `path: message` lines, naming the env variable a value came from. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], ctx: IssueContext): string[] {
  return issues.flatMap((issue) =>
    messages(issue, ctx).map(({ path, text }) => {
      const where = formatPath(path);
      const variable = ctx.overridden.get(where);
      return `${where}: ${text}${variable === undefined ? "" : ` (from ${variable})`}`;
    }),
  );
}
