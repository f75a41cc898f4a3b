import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Admin, Kafka, Producer } from "kafkajs";
import { INCIDENT_VERSION, type Incident } from "../core/incidents/incident.js";

/** Where incidents' latest states are kept across restarts. */
export interface IncidentStore {
  /** The incidents of `detector` as last saved. */
  load(detector: string): Promise<Incident[]>;
  /** Saves these incidents' states (`all`: every incident known, for stores that rewrite). */
  save(changed: readonly Incident[], all: () => readonly Incident[]): Promise<void>;
}

function isIncident(v: unknown): v is Incident {
  const i = v as Partial<Incident> | null;
  return (
    typeof i === "object" &&
    i !== null &&
    i.version === INCIDENT_VERSION &&
    typeof i.id === "string" &&
    typeof i.type === "string" &&
    typeof i.service === "string" &&
    (i.status === "open" || i.status === "resolved")
  );
}

/**
 * The compacted incidents topic: key = incident id, value = its latest state. Loading reads every
 * partition from the beginning to its end offset as it was when loading started.
 */
export class KafkaIncidentStore implements IncidentStore {
  constructor(
    private readonly o: {
      kafka: Kafka;
      admin: Admin;
      producer: Producer;
      topic: string;
      /** Reading stops after this long with what it read (a partition that never reaches its end offset), ms. Default 30000. */
      loadTimeoutMs?: number;
    },
  ) {}

  async load(detector: string): Promise<Incident[]> {
    const { kafka, admin, topic } = this.o;
    const ends = await admin.fetchTopicOffsets(topic);
    const remaining = new Map(
      ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]),
    );
    const latest = new Map<string, Incident>();
    if (remaining.size === 0) return [];
    const consumer = kafka.consumer({ groupId: `tracewatch-incidents-${randomUUID()}` });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        setTimeout(resolve, this.o.loadTimeoutMs ?? 30_000).unref();
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              const value = message.value === null ? null : parse(message.value.toString("utf8"));
              if (value !== null && value.detector === detector) {
                const known = latest.get(value.id);
                if (known === undefined || known.revision <= value.revision) latest.set(value.id, value);
              }
              const end = remaining.get(partition);
              if (end !== undefined && Number(message.offset) + 1 >= end) remaining.delete(partition);
              if (remaining.size === 0) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return [...latest.values()];
  }

  async save(changed: readonly Incident[]): Promise<void> {
    if (changed.length === 0) return;
    await this.o.producer.send({
      topic: this.o.topic,
      acks: -1,
      messages: changed.map((i) => ({
        key: i.id,
        value: JSON.stringify(i),
        headers: { "content-type": "application/json", "tracewatch.schema": "incident.v1" },
      })),
    });
  }
}

function parse(text: string): Incident | null {
  try {
    const v: unknown = JSON.parse(text);
    return isIncident(v) ? v : null;
  } catch {
    // Not an incident record (another writer's junk on the topic): skipped.
    return null;
  }
}

/** `incidents.json` in a directory (the model store's without Kafka), rewritten atomically. */
export class FileIncidentStore implements IncidentStore {
  private readonly file: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, "incidents.json");
  }

  async load(detector: string): Promise<Incident[]> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const v: unknown = JSON.parse(text);
    const list = Array.isArray((v as { incidents?: unknown }).incidents)
      ? (v as { incidents: unknown[] }).incidents
      : [];
    return list.filter(isIncident).filter((i) => i.detector === detector);
  }

  async save(changed: readonly Incident[], all: () => readonly Incident[]): Promise<void> {
    if (changed.length === 0) return;
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: INCIDENT_VERSION, incidents: all() }));
    await rename(tmp, this.file);
  }
}
