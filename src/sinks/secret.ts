import { inspect } from "node:util";

/**
 * A secret value that never prints: `String()`, JSON, template strings and `util.inspect` all
 * give `[redacted]`. Read it with `reveal()` only where it is used.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return "[redacted]";
  }

  toJSON(): string {
    return "[redacted]";
  }

  [inspect.custom](): string {
    return "Secret([redacted])";
  }
}

const VAR_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Expands `${VAR}` references from `env` (the config loader's environment). Returns the names
 * that were missing instead of a value, so the caller can report them without the secret.
 */
export function expandSecret(
  raw: string,
  env: Readonly<Record<string, string | undefined>>,
): { secret: Secret } | { missing: string[] } {
  const missing: string[] = [];
  const value = raw.replace(VAR_RE, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === "") missing.push(name);
    return v ?? "";
  });
  return missing.length > 0 ? { missing } : { secret: new Secret(value) };
}
