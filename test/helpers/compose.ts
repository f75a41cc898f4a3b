import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const COMPOSE_FILE = join(import.meta.dirname, "../../docker-compose.yml");

/** A compose service as far as the tests read it. */
export interface ComposeService {
  image?: string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { target: number; published?: string | number })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  profiles?: string[];
}

/** The compose file as YAML reads it (merge keys `<<` applied, as Compose does). */
export function readComposeFile(path = COMPOSE_FILE): Record<string, unknown> {
  return parse(readFileSync(path, "utf8"), { merge: true }) as Record<string, unknown>;
}

/** An interpolation that Compose refuses (`${VAR:?message}` with VAR unset). */
export class ComposeInterpolationError extends Error {}

// $$ | ${NAME} | ${NAME<op><word>} with op one of :- - :? ? :+ + | $NAME
const VAR =
  /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Compose's variable interpolation of one string (compose-spec 12-interpolation.md): `${VAR}`,
 * `$VAR`, `${VAR:-default}` / `${VAR-default}`, `${VAR:?err}` / `${VAR?err}`, `${VAR:+alt}` /
 * `${VAR+alt}`, and `$$` for a literal `$`. Defaults are interpolated in turn.
 */
export function interpolateString(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(VAR, (whole, braced?: string, op?: string, word?: string, bare?: string) => {
    if (whole === "$$") return "$";
    const name = (braced ?? bare)!;
    const value = env[name];
    const unset = value === undefined;
    const empty = unset || value === "";
    const alt = () => interpolateString(word ?? "", env);
    switch (op) {
      case undefined:
        return value ?? "";
      case ":-":
        return empty ? alt() : value!;
      case "-":
        return unset ? alt() : value;
      case ":?":
      case "?":
        if (op === ":?" ? empty : unset)
          throw new ComposeInterpolationError(`required variable ${name} is missing a value: ${alt()}`);
        return value!;
      case ":+":
        return empty ? "" : alt();
      case "+":
        return unset ? "" : alt();
      default:
        throw new Error(`unknown interpolation operator ${op}`);
    }
  });
}

/** Every string value of `tree` interpolated (keys are not, as in Compose). */
export function interpolate(tree: unknown, env: Readonly<Record<string, string | undefined>>): unknown {
  if (typeof tree === "string") return interpolateString(tree, env);
  if (Array.isArray(tree)) return tree.map((v) => interpolate(v, env));
  if (typeof tree === "object" && tree !== null)
    return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, interpolate(v, env)]));
  return tree;
}

/** A service's environment as the container gets it: a mapping of strings. */
export function serviceEnvironment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env))
    return Object.fromEntries(
      env.map((line) => {
        const i = line.indexOf("=");
        return i < 0 ? [line, ""] : [line.slice(0, i), line.slice(i + 1)];
      }),
    );
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

/** The container ports a service publishes (`host:published:target` or the long form). */
export function publishedTargets(service: ComposeService): number[] {
  return (service.ports ?? []).map((p) => (typeof p === "string" ? Number(p.split(":").at(-1)) : p.target));
}
