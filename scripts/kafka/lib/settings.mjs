// Settings of the local Kafka broker: versions, ports, paths. Read once from the environment.
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Kafka version used when TRACEWATCH_KAFKA_VERSION is unset: the line tested with kafkajs 2.2.4. */
export const DEFAULT_KAFKA_VERSION = "3.9.2";

const scriptDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const repoRoot = path.resolve(scriptDir, "..", "..");

function envPort(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port (1-65535)`);
  }
  return port;
}

function envVersion(env) {
  const version = env.TRACEWATCH_KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`TRACEWATCH_KAFKA_VERSION=${version} is not a release version like 3.9.2`);
  const major = Number(match[1]);
  if (major < 3 || (major === 3 && Number(match[2]) < 7)) {
    throw new Error(`Kafka ${version} is not supported: use 3.7 or newer (KRaft combined mode)`);
  }
  return { version, major };
}

function envPositiveInt(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}=${raw} is not a positive integer`);
  return value;
}

/**
 * Resolve every setting of the local broker.
 * @param {NodeJS.ProcessEnv} [env] environment to read (default: process.env)
 */
export function loadSettings(env = process.env) {
  const { version, major } = envVersion(env);
  const port = envPort(env, "TRACEWATCH_KAFKA_PORT", 9092);
  const controllerPort = envPort(env, "TRACEWATCH_KAFKA_CONTROLLER_PORT", 9093);
  if (port === controllerPort) {
    throw new Error(`TRACEWATCH_KAFKA_PORT and TRACEWATCH_KAFKA_CONTROLLER_PORT are both ${port}`);
  }
  const home = path.resolve(env.TRACEWATCH_KAFKA_HOME || path.join(repoRoot, ".kafka"));
  const heap = env.TRACEWATCH_KAFKA_HEAP || "512m";
  if (!/^\d+[mMgG]$/.test(heap)) throw new Error(`TRACEWATCH_KAFKA_HEAP=${heap} is not a size like 512m`);
  return Object.freeze({
    version,
    major,
    port,
    controllerPort,
    host: "127.0.0.1",
    bootstrap: `127.0.0.1:${port}`,
    heap,
    startTimeoutMs: envPositiveInt(env, "TRACEWATCH_KAFKA_START_TIMEOUT_MS", 90_000),
    java: env.JAVA_HOME ? path.join(env.JAVA_HOME, "bin", "java") : "java",
    mvn: env.TRACEWATCH_MVN || "mvn",
    scriptDir,
    pom: path.join(scriptDir, "pom.xml"),
    serverTemplate: path.join(scriptDir, "server.properties"),
    logConfig: path.join(scriptDir, major >= 4 ? "log4j2.xml" : "log4j.properties"),
    mavenProfile: major >= 4 ? "kafka4" : "kafka3",
    home,
    libDir: path.join(home, `lib-${version}`),
    dataDir: path.join(home, `data-${version}`),
    runDir: path.join(home, `run-${version}`),
    logsDir: path.join(home, "logs"),
    stateFile: path.join(home, "broker.json"),
    lockFile: path.join(home, "start.lock"),
    leasesDir: path.join(home, "leases"),
  });
}
