// Readiness: the broker is ready once a real metadata request through kafkajs succeeds.
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import kafkajs from "kafkajs";
import { isAlive } from "./process.mjs";

const { Kafka, logLevel } = kafkajs;

/**
 * One metadata round trip: describeCluster and listTopics through the kafkajs admin client.
 * @returns {Promise<{ ok: true, clusterId: string, brokers: number, topics: number } | { ok: false, error: string }>}
 */
export async function probe(bootstrap, timeoutMs = 3_000) {
  const kafka = new Kafka({
    clientId: "tracewatch-kafka-probe",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 2_000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const topics = await admin.listTopics();
    if (cluster.brokers.length === 0) return { ok: false, error: "no broker registered yet" };
    return { ok: true, clusterId: cluster.clusterId, brokers: cluster.brokers.length, topics: topics.length };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Poll until the broker answers metadata requests, the process dies, or the deadline passes.
 * @returns {Promise<{ ok: true, clusterId: string } | { ok: false, error: string }>}
 */
export async function waitUntilReady(bootstrap, pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = "not probed yet";
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return { ok: false, error: `broker process ${pid} exited during start-up` };
    const result = await probe(bootstrap);
    if (result.ok) return result;
    last = result.error;
    await sleep(250);
  }
  return { ok: false, error: `not ready after ${timeoutMs} ms (last error: ${last})` };
}

/** True when something already accepts or holds host:port (checked by binding to it). */
export function portInUse(host, port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (err) => resolve(err.code === "EADDRINUSE" || err.code === "EACCES"));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}
