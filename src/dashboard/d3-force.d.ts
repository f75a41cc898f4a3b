// The part of d3-force's API the service map uses (the package ships no typings).
declare module "d3-force" {
  export interface SimNode {
    x?: number;
    y?: number;
    vx?: number;
    vy?: number;
    index?: number;
  }
  export interface Force {
    (alpha: number): void;
  }
  export interface Simulation<N extends SimNode> {
    force(name: string, force: unknown): this;
    stop(): this;
    tick(iterations?: number): this;
    nodes(): N[];
  }
  export function forceSimulation<N extends SimNode>(nodes: N[]): Simulation<N>;
  export function forceLink<N extends SimNode, L>(
    links: L[],
  ): {
    id(fn: (n: N) => string): ReturnType<typeof forceLink<N, L>>;
    distance(d: number): ReturnType<typeof forceLink<N, L>>;
  };
  export function forceManyBody(): { strength(s: number): unknown };
  export function forceCenter(x: number, y: number): unknown;
  export function forceCollide(r: number): unknown;
}
