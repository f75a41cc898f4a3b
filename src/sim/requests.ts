import type { Attributes } from "../domain/span.js";
import type { Handler, Scope, TraceRecorder } from "./scope.js";
import { runRoot } from "./scope.js";
import * as svc from "./services.js";

/** One kind of user request entering through the gateway. */
export interface RequestType {
  /** Stable name used in labels, e.g. "browse_catalog". */
  readonly name: string;
  /** Relative share of traffic (weights are normalised over the enabled types). */
  readonly weight: number;
  readonly method: string;
  /** The gateway's route (the root span's name is `${method} ${route}`). */
  readonly route: string;
  /** Service behind the gateway, its route, and its handler. */
  readonly service: string;
  readonly serviceRoute: string;
  readonly handler: Handler;
  /** Whether the gateway first verifies the session with auth. */
  readonly authenticated: boolean;
  /** Whether the gateway may retry the downstream call (idempotent requests only). */
  readonly retries: number;
}

export const GATEWAY = "gateway";

const t = (
  name: string,
  weight: number,
  method: string,
  route: string,
  service: string,
  serviceRoute: string,
  handler: Handler,
  authenticated = true,
): RequestType => ({
  name,
  weight,
  method,
  route,
  service,
  serviceRoute,
  handler,
  authenticated,
  retries: method === "GET" ? 1 : 0,
});

const placeOrder: Handler = (s) => {
  s.work(1);
  if (!s.call("cart", "/cart", svc.cartGet, { retries: 1 }).ok) {
    s.fail(502);
    return;
  }
  s.extensionPoint();
  if (!s.call("order", "/orders", svc.orderCreate, { method: "POST" }).ok) {
    s.fail(502);
    return;
  }
  s.call("cart", "/cart", svc.cartClear, { method: "DELETE" });
  s.work(0.5);
};

const viewCheckout: Handler = (s) => {
  s.work(1);
  s.parallel(
    (b) => void (b.call("cart", "/cart", svc.cartGet, { retries: 1 }).ok || b.fail(502)),
    (b) =>
      void (b.call("user", "/users/{id}/addresses", svc.userAddresses, { retries: 1 }).ok || b.fail(502)),
  );
  if (s.failed) return;
  s.parallel(
    (b) =>
      void (b.call("pricing", "/quote", svc.pricingQuote, { method: "POST", retries: 1 }).ok || b.fail(502)),
    (b) =>
      void (
        b.call("shipping", "/estimates", svc.shippingEstimate, { method: "POST", retries: 1 }).ok ||
        b.fail(502)
      ),
  );
};

const addToCart: Handler = (s) => {
  s.work(1);
  s.parallel(
    (b) => void (b.call("catalog", "/products/{id}", svc.catalogItem, { retries: 1 }).ok || b.fail(502)),
    (b) => void (b.call("inventory", "/stock", svc.inventoryStock, { retries: 1 }).ok || b.fail(502)),
  );
  if (s.failed) return;
  if (!s.db("redis", "redis", "HSET cart:*", 0.3, 0.3, 1)) s.fail(503);
};

const login: Handler = (s) => {
  s.work(0.5);
  if (!s.call("user", "/users/by-email", svc.userByEmail, { retries: 1 }).ok) {
    s.fail(502);
    return;
  }
  s.work(45, 0.15); // password hash check
  s.db("redis", "redis", "SET session:*", 0.3);
};

/** The simulated request mix. `report_export` only runs with near-misses enabled. */
export const REQUEST_TYPES: readonly RequestType[] = [
  t("browse_catalog", 0.3, "GET", "/api/products", "catalog", "/products", svc.catalogList),
  t("search", 0.17, "GET", "/api/search", "search", "/search", svc.searchQuery),
  t("add_to_cart", 0.12, "POST", "/api/cart/items", "cart", "/cart/items", addToCart),
  t("login", 0.09, "POST", "/api/login", "auth", "/login", login, false),
  t("view_checkout", 0.08, "GET", "/api/checkout", "checkout", "/checkout", viewCheckout),
  t("place_order", 0.1, "POST", "/api/orders", "checkout", "/checkout/place", placeOrder),
  t("order_history", 0.08, "GET", "/api/orders", "order", "/orders", svc.orderHistory),
  t("report_export", 0.02, "GET", "/api/reports/export", "report", "/reports/orders.csv", svc.reportExport),
];

/** The request type that is slow by design (the slow near-miss). */
export const SLOW_REQUEST_TYPE = "report_export";

/** Finds a request type by name. */
export function requestType(name: string): RequestType | undefined {
  return REQUEST_TYPES.find((r) => r.name === name);
}

function gateway(type: RequestType, serverAttributes: Attributes): Handler {
  return (s: Scope) => {
    if (
      type.authenticated &&
      !s.call("auth", "/auth/verify", svc.authVerify, { method: "POST", retries: 1 }).ok
    ) {
      s.fail(502);
      return;
    }
    const r = s.call(type.service, type.serviceRoute, type.handler, {
      method: type.method,
      retries: type.retries,
      serverAttributes,
    });
    if (r.status >= 500) s.fail(502);
    else s.status = r.ok ? 200 : r.status;
  };
}

/** Generates one request of `type` into `rec`, starting at the trace's time zero. */
export function runRequest(rec: TraceRecorder, type: RequestType): void {
  const userId = rec.rng.int(1, 50_000);
  const downstream: Attributes =
    type.name === "login" || type.name === "place_order" ? { "user.email": `user${userId}@example.com` } : {};
  const rootAttributes: Record<string, string | number> = { "enduser.id": String(userId) };
  if (rec.rng.chance(0.05))
    rootAttributes["internal.debug_info"] = `upstream=pod-${rec.rng.int(1, 9)} cache=warm`;
  runRoot(rec, GATEWAY, type.method, type.route, gateway(type, downstream), rootAttributes);
}
