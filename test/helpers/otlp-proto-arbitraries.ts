/** fast-check arbitraries of OTLP requests (see otlp-proto-model.ts), valid and invalid spans alike. */
import fc from "fast-check";
import type { AnyValueM, KeyValueM, RequestM, SpanM, Str } from "./otlp-proto-model.js";

const opt = <T>(arb: fc.Arbitrary<T>, freq = 6) => fc.option(arb, { nil: undefined, freq });
const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

const strArb: fc.Arbitrary<Str> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("", "GET /cart", "k1", "k2", "service.name", "ünïcode", "名前") },
  { weight: 3, arbitrary: fc.string({ maxLength: 10, unit: "grapheme" }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }) }, // raw bytes, mostly invalid UTF-8
);
const keyArb: fc.Arbitrary<Str> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("k1", "k2", "k3", "service.name", "", "ключ") },
  { weight: 1, arbitrary: strArb },
);

const { keyValue } = fc.letrec<{ anyValue: AnyValueM; keyValue: KeyValueM }>((tie) => ({
  anyValue: fc.oneof(
    { maxDepth: 3, depthSize: "small" },
    strArb.map((v): AnyValueM => ({ kind: "string", v })),
    fc.constant<AnyValueM>({ kind: "none" }),
    fc.boolean().map((v): AnyValueM => ({ kind: "bool", v })),
    fc
      .oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -1000n, max: 1000n }))
      .map((v): AnyValueM => ({ kind: "int", v })),
    fc.double().map((v): AnyValueM => ({ kind: "double", v })),
    fc.uint8Array({ maxLength: 8 }).map((v): AnyValueM => ({ kind: "bytes", v })),
    fc.array(tie("anyValue"), { maxLength: 3 }).map((v): AnyValueM => ({ kind: "array", v })),
    fc.array(tie("keyValue"), { maxLength: 3 }).map((v): AnyValueM => ({ kind: "kvlist", v })),
  ),
  keyValue: fc.record({ key: opt(keyArb, 10), value: opt(tie("anyValue"), 10) }),
}));
const attributesArb = fc.array(keyValue, { maxLength: 4 });
/** Attributes tracewatch skips (events, links, scope): present, but few, to keep runs fast. */
const skippedAttributesArb = fc.array(keyValue, { maxLength: 1 });

export const TRACE_A = Uint8Array.from(Buffer.from("0af7651916cd43dd8448eb211c80319c", "hex"));
const idArb = (n: number, shared: Uint8Array[]) =>
  fc.oneof(
    { weight: 10, arbitrary: bytesOf(n) },
    { weight: 4, arbitrary: fc.constantFrom(...shared) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(n)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) },
  );
const timeArb = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt({ min: 1_700_000_000_000_000_000n, max: 1_900_000_000_000_000_000n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) },
);

const spanArb: fc.Arbitrary<SpanM> = fc
  .record({
    trace_id: opt(idArb(16, [TRACE_A]), 20),
    span_id: opt(idArb(8, [Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)]), 20),
    trace_state: opt(strArb),
    parent_span_id: opt(idArb(8, [Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)]), 3),
    name: opt(strArb, 10),
    kind: opt(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 5 }) }, fc.integer()), 10),
    start: opt(timeArb, 20),
    duration: fc.oneof({ weight: 8, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 10n }) }, fc.constant(-1n)),
    attributes: attributesArb,
    dropped_attributes_count: opt(fc.nat()),
    events: fc.array(fc.record({ time: opt(timeArb), name: opt(strArb), attributes: skippedAttributesArb }), {
      maxLength: 1,
    }),
    links: fc.array(
      fc.record({
        trace_id: opt(bytesOf(16)),
        span_id: opt(bytesOf(8)),
        attributes: skippedAttributesArb,
        flags: opt(fc.nat()),
      }),
      { maxLength: 1 },
    ),
    status: opt(fc.record({ message: opt(strArb), code: opt(fc.integer({ min: -1, max: 4 })) }), 3),
    flags: opt(fc.nat()),
  })
  .map(({ duration, ...s }): SpanM => {
    const end = s.start === undefined ? undefined : BigInt.asUintN(64, s.start + duration);
    return { ...s, end };
  });

export const requestArb: fc.Arbitrary<RequestM> = fc.record({
  resource_spans: fc.array(
    fc.record({
      resource: opt(
        fc.record({
          attributes: fc.array(
            fc.oneof(
              keyValue,
              strArb.map((v): KeyValueM => ({ key: "service.name", value: { kind: "string", v } })),
            ),
            { maxLength: 4 },
          ),
          dropped_attributes_count: opt(fc.nat()),
        }),
        8,
      ),
      scope_spans: fc.array(
        fc.record({
          scope: opt(
            fc.record({ name: opt(strArb), version: opt(strArb), attributes: skippedAttributesArb }),
          ),
          spans: fc.array(spanArb, { maxLength: 4 }),
          schema_url: opt(strArb),
        }),
        { maxLength: 2 },
      ),
      schema_url: opt(strArb),
    }),
    { maxLength: 3 },
  ),
});

/** mulberry32: the scrambling's random choices, reproducible from the counterexample's seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
