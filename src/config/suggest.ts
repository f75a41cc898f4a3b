/**
 * "Did you mean" for configuration mistakes: the known keys of the schema at a path, and the one
 * closest to what was written. Reads zod's schema definitions (`_zod.def`) without importing zod.
 */
export { closest, editDistance } from "../core/closest.js";

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
