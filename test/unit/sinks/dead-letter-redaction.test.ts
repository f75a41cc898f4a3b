import { describe, expect, it } from "vitest";
import { Alerter } from "../../../src/core/alerts/alerter.js";
import { Redactor } from "../../../src/core/alerts/redaction.js";
import { ManualClock } from "../../../src/core/clock.js";
import { compileRules, SEED_ALERT_RULES } from "../../../src/core/rules/rules.js";
import { InMemoryDeadLetterWriter } from "../../../src/sinks/in-memory.js";
import { deadLetterHeaders } from "../../../src/sinks/kafka.js";
import { DeliveryQueue } from "../../../src/sinks/queue.js";
import { silentLogger } from "../../../src/sinks/types.js";
import { completed, span } from "../core/alerts/spans.js";
import { scoredTrace } from "../core/rules/scored.js";

const EMAIL = "carol.raw@example.com";

describe("alerts dead-lettered by a sink", () => {
  it("carry span attributes only after spec.redaction", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const alerter = new Alerter({
      detector: "d",
      rules: compileRules(SEED_ALERT_RULES, 0.95),
      clock,
      redactor: new Redactor([
        { action: "hash", key: "user.email" },
        { action: "delete", key: "user.ssn" },
      ]),
    });
    const personal = { "user.email": EMAIL, "user.ssn": "078-05-1120", "http.route": "/pay" };
    const trace = completed([
      span(1, null, "frontend", 0, 5_000, "ERROR", personal),
      span(2, 1, "payment", 10, 4_900, "ERROR", personal),
    ]);
    const scored = scoredTrace(
      {
        total_duration: 5_000,
        error_count: 2,
        affected_services: 2,
        erroring_services: ["frontend", "payment"],
      },
      { anomaly_score: 0.99, p99_baseline: 200 },
    );
    const alerts = alerter.process(scored, trace).flatMap((d) => (d.kind === "emit" ? [d.alert] : []));
    expect(alerts.length).toBeGreaterThan(0);
    const dead = new InMemoryDeadLetterWriter();
    const queue = new DeliveryQueue({
      name: "hook",
      deliverer: {
        type: "webhook",
        deliver: async () => ({ ok: false, retriable: false, error: "HTTP 400" }),
      },
      deadLetters: dead,
      clock,
      logger: silentLogger,
    });
    for (const alert of alerts) queue.enqueue(alert);
    await queue.flush(1_000);
    await queue.shutdown();
    expect(dead.letters).toHaveLength(alerts.length);
    for (const letter of dead.letters) {
      const text = JSON.stringify(letter) + JSON.stringify(deadLetterHeaders(letter));
      expect(text).not.toContain(EMAIL);
      expect(text).not.toContain("078-05-1120");
      expect(letter.alert.evidence.rootAttributes).toMatchObject({ "http.route": "/pay" });
      expect(letter.alert.evidence.rootAttributes["user.email"]).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
