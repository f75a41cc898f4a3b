/**
 * "Did you mean" for configuration mistakes: the known keys of the schema at a path, and the one
 * closest to what was written. Reads zod's schema definitions (`_zod.def`) without importing zod.
 */

interface SchemaDef {
  readonly type: string;
  readonly innerType?: SchemaNode;
  readonly in?: SchemaNode;
  readonly getter?: () => SchemaNode;
  readonly shape?: Readonly<Record<string, SchemaNode>>;
  readonly element?: SchemaNode;
  readonly valueType?: SchemaNode;
  readonly options?: readonly SchemaNode[];
  readonly discriminator?: string;
  readonly values?: readonly unknown[];
}

/** The part of a zod v4 schema this module reads. */
export interface SchemaNode {
  readonly _zod: { readonly def: SchemaDef };
}

const WRAPPERS = new Set(["default", "prefault", "optional", "nullable", "readonly", "catch", "nonoptional"]);

/** The schema under defaults, optionals and pipes (a pipe validates its input with `in`). */
function unwrap(node: SchemaNode): SchemaNode {
  let n = node;
  for (let depth = 0; depth < 32; depth++) {
    const def = n._zod.def;
    const next = WRAPPERS.has(def.type)
      ? def.innerType
      : def.type === "pipe"
        ? def.in
        : def.type === "lazy"
          ? def.getter?.()
          : undefined;
    if (next === undefined) return n;
    n = next;
  }
  return n;
}

function field(value: unknown, key: PropertyKey): unknown {
  return typeof value === "object" && value !== null
    ? (value as Record<PropertyKey, unknown>)[key]
    : undefined;
}

/** The union options `value` may be meant for: those its discriminator selects, else all of them. */
function expand(node: SchemaNode, value: unknown): SchemaNode[] {
  const n = unwrap(node);
  const { type, options, discriminator } = n._zod.def;
  if (type !== "union" || options === undefined) return [n];
  let chosen = options;
  if (discriminator !== undefined) {
    const tag = field(value, discriminator);
    const matching = options.filter((o) => {
      const literal = unwrap(o)._zod.def.shape?.[discriminator];
      return literal !== undefined && (unwrap(literal)._zod.def.values ?? []).includes(tag);
    });
    if (matching.length > 0) chosen = matching;
  }
  return chosen.flatMap((o) => expand(o, value));
}

function child(node: SchemaNode, key: PropertyKey): SchemaNode | undefined {
  const def = node._zod.def;
  if (def.type === "object") return typeof key === "string" ? def.shape?.[key] : undefined;
  if (def.type === "array") return typeof key === "number" ? def.element : undefined;
  if (def.type === "record") return def.valueType;
  return undefined;
}

/**
 * The keys `schema` allows on the mapping at `path` of the document `root` (the input as written;
 * it picks the option of a discriminated union, e.g. a sink's `type`). Empty when unknown.
 */
export function knownKeysAt(schema: SchemaNode, root: unknown, path: readonly PropertyKey[]): string[] {
  let nodes = expand(schema, root);
  let value = root;
  for (const key of path) {
    value = field(value, key);
    nodes = nodes.flatMap((n) => {
      const next = child(n, key);
      return next === undefined ? [] : expand(next, value);
    });
  }
  return [...new Set(nodes.flatMap((n) => Object.keys(n._zod.def.shape ?? {})))];
}

/** Edit distance counting an adjacent transposition as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** `maxTraces`, `max-traces` and `MAX_TRACES` all mean `max_traces`. */
function normalize(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, "");
}

/**
 * The candidate `word` was most likely meant to be: same letters apart from case, `-` and `_`, or
 * within about one edit per four characters (at least one, at most three). Undefined when none is.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 4)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const d =
      normalize(candidate) === normalize(word)
        ? 0
        : editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
