import type { Handler, Scope } from "./scope.js";

/**
 * The simulated services' endpoints. Each handler runs inside the callee's SERVER span; its own
 * work is log-normal (median ms, sigma), datastore calls are CLIENT spans whose service is the
 * datastore, and whether a failed dependency is tolerated or propagated is decided here.
 */

const PG = "postgresql";

/** Falls back from the cache to postgres on a miss (`missRate`) or when redis fails. */
function cachedRead(s: Scope, key: string, table: string, missRate: number): boolean {
  const hit = s.db("redis", "redis", `GET ${key}`, 0.35);
  if (hit && !s.rng.chance(missRate)) return true;
  return s.db("postgres", PG, `SELECT * FROM ${table} WHERE id = $1`, 2.5, 0.4, 1);
}

export const pricingBatch: Handler = (s) => {
  s.work(0.8);
  s.extensionPoint();
  if (!s.db("redis", "redis", "MGET price:*", 0.4)) {
    if (!s.db("postgres", PG, "SELECT sku, amount FROM prices WHERE sku = ANY($1)", 2)) s.fail(503);
  }
};

export const pricingQuote: Handler = (s) => {
  s.work(1.5);
  s.extensionPoint();
  s.db("redis", "redis", "MGET price:*", 0.4);
  if (!s.db("postgres", PG, "SELECT * FROM promotions WHERE active", 2.5, 0.4, 1)) s.fail(500);
};

export const inventoryStock: Handler = (s) => {
  s.work(0.6);
  if (!s.db("postgres", PG, "SELECT sku, available FROM stock WHERE sku = ANY($1)", 1.5, 0.4, 1)) s.fail(500);
};

export const inventoryReserve: Handler = (s) => {
  s.work(0.8);
  if (!s.db("postgres", PG, "UPDATE stock SET reserved = reserved + $2 WHERE sku = $1", 3, 0.4, 1))
    s.fail(500);
};

export const recommend: Handler = (s) => {
  s.work(2, 0.4);
  // New users have no history: a normal 404 that the caller tolerates (background error noise).
  if (s.rec.effects.allowNotFound && s.rng.chance(0.04)) {
    s.status = 404;
    return;
  }
  if (!s.db("redis", "redis", "GET reco:user", 0.4)) {
    s.fail(503);
    return;
  }
  s.work(1);
};

export const catalogList: Handler = (s) => {
  s.work(1.5);
  if (!cachedRead(s, "catalog:page", "products", 0.3)) {
    s.fail(500);
    return;
  }
  s.parallel(
    (b) =>
      void (
        b.call("pricing", "/prices/batch", pricingBatch, { method: "POST", retries: 1 }).ok || b.fail(502)
      ),
    (b) => void (b.call("inventory", "/stock", inventoryStock, { retries: 1 }).ok || b.fail(502)),
    // Recommendations are optional: the page renders without them.
    (b) => void b.call("recommendation", "/recommendations", recommend),
  );
  if (!s.failed) s.work(1);
};

export const catalogItem: Handler = (s) => {
  s.work(0.5);
  if (!cachedRead(s, "product:*", "products", 0.15)) s.fail(500);
};

export const catalogBatch: Handler = (s) => {
  s.work(0.8);
  if (!cachedRead(s, "MGET product:*", "products", 0.2)) s.fail(500);
};

export const searchQuery: Handler = (s) => {
  s.work(2);
  if (!s.db("elasticsearch", "elasticsearch", "POST /products/_search", 12, 0.5)) {
    s.fail(503);
    return;
  }
  s.extensionPoint();
  if (!s.call("catalog", "/products/batch", catalogBatch, { method: "POST", retries: 1 }).ok) {
    s.fail(502);
    return;
  }
  if (!s.call("pricing", "/prices/batch", pricingBatch, { method: "POST", retries: 1 }).ok) {
    s.fail(502);
    return;
  }
  s.work(1);
};

export const userByEmail: Handler = (s) => {
  s.work(0.5);
  if (!s.db("postgres", PG, "SELECT * FROM users WHERE email = $1", 1.5)) s.fail(500);
};

export const userById: Handler = (s) => {
  s.work(0.4);
  if (!s.db("postgres", PG, "SELECT * FROM users WHERE id = $1", 1.2)) s.fail(500);
};

export const userAddresses: Handler = (s) => {
  s.work(0.4);
  if (!s.db("postgres", PG, "SELECT * FROM addresses WHERE user_id = $1", 1.5)) s.fail(500);
};

export const authVerify: Handler = (s) => {
  s.work(0.5);
  if (!s.db("redis", "redis", "GET session:*", 0.3)) s.fail(503);
};

export const cartGet: Handler = (s) => {
  s.work(0.5);
  if (!s.db("redis", "redis", "HGETALL cart:*", 0.4, 0.4, 1)) s.fail(503);
};

export const cartClear: Handler = (s) => {
  s.work(0.3);
  s.db("redis", "redis", "DEL cart:*", 0.3);
};

export const shippingEstimate: Handler = (s) => {
  s.work(3, 0.4);
  if (!s.db("postgres", PG, "SELECT * FROM shipping_rates WHERE zone = $1", 1.5)) s.fail(500);
};

export const paymentCharge: Handler = (s) => {
  s.work(0.8);
  s.extensionPoint();
  // The card network's authorisation dominates a checkout.
  s.work(110, 0.35);
  if (!s.db("postgres", PG, "INSERT INTO charges VALUES ($1, $2, $3)", 2, 0.4, 1)) s.fail(500);
};

export const notifyOrder: Handler = (s) => {
  // The consumer retries the user lookup, then parks the message for redelivery: never fails.
  const user = s.call("user", "/users/{id}", userById, { retries: 2, backoffMs: 50 });
  s.work(user.ok ? 6 : 0.5, 0.4);
};

export const shipOrder: Handler = (s) => {
  s.work(1.5);
  if (!s.db("postgres", PG, "INSERT INTO shipments VALUES ($1, $2)", 2.5, 0.4, 1)) s.fail(500);
};

export const orderCreate: Handler = (s) => {
  s.work(1);
  if (!s.call("inventory", "/reservations", inventoryReserve, { method: "POST", retries: 1 }).ok) {
    s.fail(502);
    return;
  }
  if (!s.call("payment", "/charges", paymentCharge, { method: "POST" }).ok) {
    s.fail(502);
    return;
  }
  if (!s.db("postgres", PG, "INSERT INTO orders VALUES ($1, $2, $3)", 2.5, 0.4, 1)) {
    s.fail(500);
    return;
  }
  s.produce("orders", [
    ["notification", notifyOrder],
    ["shipping", shipOrder],
  ]);
  s.work(0.5);
};

export const orderHistory: Handler = (s) => {
  s.work(0.8);
  if (!s.db("postgres", PG, "SELECT * FROM orders WHERE user_id = $1 ORDER BY created_at DESC", 3)) {
    s.fail(500);
    return;
  }
  const items = s.rng.int(1, 5);
  const branches: Handler[] = [];
  for (let i = 0; i < items; i++) {
    branches.push(
      (b) => void (b.call("catalog", "/products/{id}", catalogItem, { retries: 1 }).ok || b.fail(502)),
    );
  }
  s.parallel(...branches);
};

export const reportExport: Handler = (s) => {
  s.work(2);
  // A deliberately heavy aggregate: this endpoint always takes about two seconds.
  if (
    !s.db(
      "postgres",
      PG,
      "SELECT date_trunc('day', created_at), sum(total) FROM orders GROUP BY 1",
      1500,
      0.08,
      0,
      true,
    )
  ) {
    s.fail(500);
    return;
  }
  s.work(350, 0.1, true);
};
