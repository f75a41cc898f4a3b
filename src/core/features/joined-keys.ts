/**
 * Keys `a + separator + b` built once per (a, b): every trace with the same pair then carries one
 * flat string, hashed once, which maps keyed by it find by identity (a fresh concatenation per
 * trace is flattened, hashed and compared character by character at each lookup). Bounded: a
 * level past its size starts over. The last first part's keys are kept at hand, since
 * consecutive calls often share it.
 */
export class JoinedKeys {
  private readonly byFirst = new Map<string, Map<string, string>>();
  private lastFirst: string | undefined;
  private lastBySecond: Map<string, string> | undefined;

  constructor(
    private readonly separator: string,
    private readonly maxFirsts = 1_000,
    private readonly maxSeconds = 1_000,
  ) {}

  get(a: string, b: string): string {
    let bySecond = a === this.lastFirst ? this.lastBySecond : this.byFirst.get(a);
    if (bySecond === undefined) {
      if (this.byFirst.size >= this.maxFirsts) this.byFirst.clear();
      this.byFirst.set(a, (bySecond = new Map()));
    }
    this.lastFirst = a;
    this.lastBySecond = bySecond;
    let key = bySecond.get(b);
    if (key === undefined) {
      if (bySecond.size >= this.maxSeconds) bySecond.clear();
      bySecond.set(b, (key = a + this.separator + b));
    }
    return key;
  }
}
