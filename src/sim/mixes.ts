import type { Handler } from "./scope.js";
import { REQUEST_TYPES, type RequestType } from "./requests.js";
import * as svc from "./services.js";

/**
 * Request mixes beside the default one ({@link REQUEST_TYPES}). A mix is a whole list of request
 * types; the simulator normalises their weights.
 */

/** Name of the rare-but-normal slow request type of {@link RARE_SLOW_MIX}. */
export const RARE_SLOW_TYPE = "catalog_feed";

/** Share of traffic of {@link RARE_SLOW_TYPE} in {@link RARE_SLOW_MIX}. */
export const RARE_SLOW_SHARE = 0.05;

/**
 * Probability that a trace of {@link RARE_SLOW_TYPE} also asks search for related products, and
 * that an order history shows loyalty points: call edges (`catalog->search`, `order->loyalty`,
 * `loyalty->redis`) that no other request makes, a steady trickle of known-but-rare edges.
 */
export const RARE_EDGE_CHANCE = { feed: 0.05, orderHistory: 0.005 } as const;

/**
 * The product list rendered as a full feed: the catalog does about five times the work of a
 * product page (own work plus the same downstream calls), every time. Slow by design, not faulty.
 */
const catalogFeed: Handler = (s) => {
  s.work(40);
  if (!s.call("catalog", "/products", svc.catalogList, { retries: 1 }).ok) {
    s.fail(502);
    return;
  }
  s.work(40);
  if (s.rng.chance(RARE_EDGE_CHANCE.feed)) s.call("search", "/search", svc.searchQuery);
};

/** The loyalty service's points balance: a cached read. */
const loyaltyPoints: Handler = (s) => {
  s.work(0.6);
  s.db("redis", "redis", "GET points:*", 0.3);
};

/** An order history that now and then also shows the user's loyalty points. */
const orderHistoryWithPoints: Handler = (s) => {
  svc.orderHistory(s);
  if (!s.failed && s.rng.chance(RARE_EDGE_CHANCE.orderHistory)) s.call("loyalty", "/points", loyaltyPoints);
};

function withWeightFor(types: readonly RequestType[], share: number): number {
  const others = types.reduce((sum, t) => sum + t.weight, 0);
  return (share * others) / (1 - share);
}

/**
 * The default mix plus a rare-but-normal slow request type ({@link RARE_SLOW_TYPE}, 5% of
 * traffic, about five times the duration of a product page) and two known-but-rare call edges
 * ({@link RARE_EDGE_CHANCE}). Traces of these types are normal (no injection of their own).
 */
export const RARE_SLOW_MIX: readonly RequestType[] = [
  ...REQUEST_TYPES.map((t) => (t.name === "order_history" ? { ...t, handler: orderHistoryWithPoints } : t)),
  {
    name: RARE_SLOW_TYPE,
    weight: withWeightFor(REQUEST_TYPES, RARE_SLOW_SHARE),
    method: "GET",
    route: "/api/feed",
    service: "catalog",
    serviceRoute: "/feed",
    handler: catalogFeed,
    authenticated: true,
    retries: 1,
  },
];
