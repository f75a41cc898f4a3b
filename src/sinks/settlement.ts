import type { AlertSettlement } from "./types.js";

/** The promise of one `EnqueueResult.settled` with its resolvers. */
export interface Settlement {
  readonly promise: Promise<AlertSettlement>;
  resolve(how: AlertSettlement): void;
  reject(err: unknown): void;
}

/**
 * A pending settlement. Its rejection is marked handled here, so a caller that never looks at
 * `settled` (a bench, a dry run) does not turn a sink's give-up into an unhandled rejection; a
 * caller that awaits it still sees the rejection.
 */
export function createSettlement(): Settlement {
  let resolve!: (how: AlertSettlement) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<AlertSettlement>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
