import { decodeSpans } from "../../src/decode/index.js";
import type { ApiProviders } from "../../src/http/api-types.js";
import { RecentAlerts } from "../../src/http/recent-alerts.js";

/**
 * What the API reads from a service that is warming up: no sources, no alerts yet (an empty
 * recent-alerts log), no model, a retrain that starts, request bodies decoded as serve decodes
 * them, a score with no alerts; `over` replaces or adds providers (incidents, views).
 */
export function warmingUpProviders(over: Partial<ApiProviders> = {}): ApiProviders {
  return {
    readiness: () => ({ sources: [], model: "warming_up" }),
    alerts: new RecentAlerts(10),
    model: () => null,
    retrain: async () => ({ status: "started" }),
    decode: (body) => decodeSpans(body),
    score: () => ({ features: {}, anomalyScore: null, alerts: [] }),
    ...over,
  };
}
