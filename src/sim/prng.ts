/**
 * A small, fast, seedable pseudo-random generator for the simulator (sfc32 state, seeded through
 * splitmix32). The same seed always yields the same stream on every platform, which is what makes
 * a simulated run reproducible; it is not suitable for anything security related.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @param seed any integer; different seeds give independent-looking streams. */
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError("pick from an empty array");
    return item;
  }

  /** A standard normal deviate (Box-Muller; the second value is discarded for simplicity). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and shape `sigma` (the standard deviation of its log). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential with the given mean (Poisson inter-arrival times). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** `words` random 32-bit words as lowercase hex, never all zeros (an invalid OTLP id). */
  hex(words: number): string {
    let out = "";
    let any = 0;
    for (let i = 0; i < words; i++) {
      const w = this.uint32();
      any |= w;
      out += w.toString(16).padStart(8, "0");
    }
    return any === 0 ? this.hex(words) : out;
  }

  /** A 32-hex-character trace id. */
  traceId(): string {
    return this.hex(4);
  }

  /** A 16-hex-character span id. */
  spanId(): string {
    return this.hex(2);
  }
}

/**
 * Derives a sub-seed from a seed and a few integers, so independent streams stay reproducible.
 * Every input passes through a full avalanche mix before the next is folded in, so no two
 * different (seed, parts) tuples collide by construction (XOR-folding the seed with the first part
 * made seed 2, part 1 the same stream as seed 3, part 0).
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = mix32((seed >>> 0) ^ 0x5bd1e995);
  for (const p of parts) h = mix32((h + 0x9e3779b9 + (p >>> 0)) >>> 0);
  return h;
}

/** murmur3's 32-bit finaliser: a bijection on uint32 where each input bit flips about half the output bits. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
