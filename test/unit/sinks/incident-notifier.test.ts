import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";
import type { IncidentEvent } from "../../../src/core/incidents/incident.js";
import { IncidentTracker } from "../../../src/core/incidents/tracker.js";
import { incidentToPostableAlert } from "../../../src/sinks/alertmanager.js";
import type { IncidentDeliverer } from "../../../src/sinks/factory.js";
import { IncidentNotifier } from "../../../src/sinks/incident-notifier.js";
import type { DeliveryResult } from "../../../src/sinks/types.js";
import { incidentPayload } from "../../../src/sinks/webhook.js";
import { alertmanagerSemanticProblems, postableAlertsValidator } from "../../helpers/alertmanager-schema.js";
import { sampleAlerts } from "./sample-alerts.js";

const T0 = 1_700_000_000_000;

/** The events of one incident: opened by 5 alerts 1 s apart (opened, updated at 5), then resolved. */
function lifecycle(): IncidentEvent[] {
  const tracker = new IncidentTracker({ groupWindowMs: 60_000, quietPeriodMs: 60_000 });
  const events: IncidentEvent[] = [];
  sampleAlerts(5, T0).forEach((a, k) => {
    events.push(...tracker.observe({ ...a, detectedAt: new Date(T0 + k * 1000).toISOString() }));
  });
  events.push(...tracker.tick(T0 + 120_000));
  return events;
}

class FakeDeliverer implements IncidentDeliverer {
  readonly delivered: IncidentEvent[] = [];
  failures = 0;
  constructor(readonly type: string) {}
  deliver(): Promise<DeliveryResult> {
    return Promise.resolve({ ok: true });
  }
  deliverIncident(event: IncidentEvent): Promise<DeliveryResult> {
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.resolve({ ok: false, retriable: true, error: "HTTP 503" });
    }
    this.delivered.push(event);
    return Promise.resolve({ ok: true });
  }
}

const logger = { info: () => {}, warn: () => {}, error: () => {} };

describe("IncidentNotifier", () => {
  it("delivers each incident event once, in order, retrying a failed one on a later tick", async () => {
    const clock = new ManualClock(T0);
    const hook = new FakeDeliverer("webhook");
    hook.failures = 2;
    const n = new IncidentNotifier({
      channels: [{ name: "hook", deliverer: hook }],
      clock,
      logger,
      backoff: { initialMs: 10, maxMs: 10 },
    });
    for (const e of lifecycle()) n.notify(e);
    for (let k = 0; k < 20 && n.backlog() > 0; k += 1) {
      clock.advance(20);
      n.tick(clock.now(), []);
      await new Promise((r) => setImmediate(r));
    }
    expect(hook.delivered.map((e) => e.kind)).toEqual(["opened", "updated", "resolved"]);
    expect(new Set(hook.delivered.map((e) => e.incident.id)).size).toBe(1);
  });

  it("re-posts open incidents to Alertmanager every resend interval, not to webhooks", async () => {
    const clock = new ManualClock(T0);
    const am = new FakeDeliverer("alertmanager");
    const hook = new FakeDeliverer("webhook");
    const n = new IncidentNotifier({
      channels: [
        { name: "am", deliverer: am },
        { name: "hook", deliverer: hook },
      ],
      clock,
      logger,
      resendIntervalMs: 1000,
    });
    const [opened] = lifecycle();
    n.notify(opened!);
    clock.advance(999);
    n.tick(clock.now(), [opened!.incident]);
    clock.advance(1);
    n.tick(clock.now(), [opened!.incident]);
    await n.flush(1000);
    expect(am.delivered.map((e) => e.kind)).toEqual(["opened", "updated"]);
    expect(hook.delivered.map((e) => e.kind)).toEqual(["opened"]);
  });
});

describe("incident payloads", () => {
  it("Alertmanager: one alert per incident, valid against its OpenAPI postableAlerts, same labels all along, endsAt at resolution", () => {
    const validate = postableAlertsValidator();
    const events = lifecycle();
    const now = T0 + 5_000;
    const posted = events.map((e) => incidentToPostableAlert(e, { resolveAfterMs: 300_000 }, now));
    expect(validate(posted), JSON.stringify(validate.errors)).toBe(true);
    expect(posted.flatMap(alertmanagerSemanticProblems)).toEqual([]);
    expect(new Set(posted.map((p) => JSON.stringify(p.labels))).size).toBe(1);
    expect(Object.keys(posted[0]!.labels).sort()).toEqual([
      "alertname",
      "detector",
      "service",
      "severity",
      "type",
    ]);
    expect(posted[0]!.startsAt).toBe(new Date(T0).toISOString());
    expect(posted[0]!.endsAt).toBe(new Date(now + 300_000).toISOString());
    const resolved = events.at(-1)!;
    expect(posted.at(-1)!.endsAt).toBe(resolved.incident.resolvedAt);
    expect(posted.at(-1)!.annotations.summary).toBe(resolved.incident.summary);
    expect(posted.at(-1)!.annotations.description).toContain("5 traces");
  });

  it("rejects a payload Alertmanager would refuse (the validator can fail)", () => {
    const validate = postableAlertsValidator();
    expect(validate([{ annotations: { summary: "x" } }])).toBe(false);
    expect(validate([{ labels: { a: 1 } }])).toBe(false);
  });

  it("webhook: a versioned incident event whose id is the incident id and revision, valid against schemas/incident.v1.json", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats.default(ajv);
    const schema: unknown = JSON.parse(
      readFileSync(new URL("../../../schemas/incident.v1.json", import.meta.url), "utf8"),
    );
    const validate = ajv.compile(schema as object);
    for (const e of lifecycle())
      expect(validate(incidentPayload(e)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...incidentPayload(lifecycle()[0]!), event: "incident.closed" })).toBe(false);
    const [opened] = lifecycle();
    const p = incidentPayload(opened!);
    expect(p).toMatchObject({
      version: 1,
      event: "incident.opened",
      id: `${opened!.incident.id}.${opened!.incident.revision}`,
    });
  });
});
