import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/core/clock.js";
import { loadConfig } from "../../../src/config/index.js";
import { FileIncidentStore } from "../../../src/service/incident-store.js";
import { Incidents } from "../../../src/service/incidents.js";
import { IncidentNotifier } from "../../../src/sinks/incident-notifier.js";
import { sampleAlerts } from "../sinks/sample-alerts.js";

const T0 = 1_700_000_000_000;
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function incidents(dir: string, clock: ManualClock): Incidents {
  const config = loadConfig({ text: "metadata: { name: latency-anomalies }\n" }, {});
  const logger = pino({ level: "silent" });
  return new Incidents({
    config,
    clock,
    store: new FileIncidentStore(dir),
    notifier: new IncidentNotifier({ channels: [], clock, logger }),
    logger,
  });
}

describe("Incidents without Kafka", () => {
  it("keeps incidents in incidents.json in the model directory and continues them after a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tw-incidents-"));
    dirs.push(dir);
    const clock = new ManualClock(T0);
    const [a, b, c] = sampleAlerts(3, T0);
    const first = incidents(dir, clock);
    await first.start();
    first.observe(a!);
    first.observe(b!);
    first.tick(T0 + 1000);
    await first.shutdown(100);
    const saved = JSON.parse(await readFile(join(dir, "incidents.json"), "utf8")) as {
      incidents: { id: string; traceCount: number }[];
    };
    expect(saved.incidents).toHaveLength(1);
    expect(saved.incidents[0]!.traceCount).toBe(2);
    // Written through a temporary file renamed into place: none is left behind.
    expect(await readdir(dir)).toEqual(["incidents.json"]);

    const second = incidents(dir, clock);
    await second.start();
    second.observe(c!);
    const [open] = second.tracker.openIncidents();
    expect(open).toMatchObject({ id: saved.incidents[0]!.id, traceCount: 3 });
  });

  it("holds alerts that come while the saved incidents load, then adds them to the restored incident", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tw-incidents-"));
    dirs.push(dir);
    const clock = new ManualClock(T0);
    const [a, b] = sampleAlerts(2, T0);
    const first = incidents(dir, clock);
    await first.start();
    first.observe(a!);
    await first.shutdown(100);
    const second = incidents(dir, clock);
    const loaded = second.start();
    second.observe(b!);
    second.tick(T0 + 3_600_000); // nothing resolves before the state is loaded
    expect(second.tracker.list()).toEqual([]);
    await loaded;
    expect(second.tracker.openIncidents()).toMatchObject([{ traceCount: 2 }]);
  });

  it("starts empty without a file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tw-incidents-"));
    dirs.push(dir);
    const fresh = incidents(join(dir, "missing"), new ManualClock(T0));
    await fresh.start();
    expect(fresh.tracker.list()).toEqual([]);
  });
});
