// start / stop / status of the local single-node Kafka broker.
import fs from "node:fs";
import path from "node:path";
import { ensureJars } from "./classpath.mjs";
import { acquireLease, liveLeases, releaseLease, withStartLock } from "./lock.mjs";
import {
  formatStorage,
  isBroker,
  launch,
  readState,
  removeState,
  tail,
  terminate,
  writeServerConfig,
  writeState,
} from "./process.mjs";
import { portInUse, probe, waitUntilReady } from "./ready.mjs";
import { loadSettings } from "./settings.mjs";

const seconds = (fromMs) => Math.round((Date.now() - fromMs) / 100) / 10;

async function assertPortsFree(settings) {
  for (const [name, port] of [
    ["TRACEWATCH_KAFKA_PORT", settings.port],
    ["TRACEWATCH_KAFKA_CONTROLLER_PORT", settings.controllerPort],
  ]) {
    if (await portInUse(settings.host, port)) {
      throw new Error(
        `${settings.host}:${port} is already in use by a process that is not this broker: stop it or set ${name}`,
      );
    }
  }
}

async function launchAndWait(settings, owner, log) {
  const { jars, resolved, seconds: resolveSeconds } = await ensureJars(settings, log);
  if (resolved) log(`resolved ${jars.length} jars in ${resolveSeconds.toFixed(1)} s`);
  const config = writeServerConfig(settings);
  if (await formatStorage(settings, jars, config)) log(`formatted ${settings.dataDir}`);
  const launchedAt = Date.now();
  const pid = launch(settings, jars, config);
  const logFile = path.join(settings.logsDir, "server.log");
  const state = {
    pid,
    version: settings.version,
    bootstrap: settings.bootstrap,
    config,
    owner,
    logFile,
    dataDir: settings.dataDir,
    startedAt: new Date(launchedAt).toISOString(),
  };
  writeState(settings, state);
  const ready = await waitUntilReady(settings.bootstrap, pid, settings.startTimeoutMs);
  if (!ready.ok) {
    await terminate(pid, 5_000);
    removeState(settings);
    const stdout = path.join(settings.logsDir, "kafka-stdout.log");
    throw new Error(
      `Kafka ${settings.version} did not become ready: ${ready.error}\n` +
        `--- ${logFile} ---\n${tail(logFile)}\n--- ${stdout} ---\n${tail(stdout, 10)}`,
    );
  }
  return { ...state, resolvedJars: resolved, launchSeconds: seconds(launchedAt) };
}

/**
 * Start the broker unless it already runs. Resolves jars on first use of a version and formats
 * storage on its first start.
 * @param {{ env?: NodeJS.ProcessEnv, owner?: "cli" | "test", log?: (line: string) => void }} [options]
 */
export async function startBroker({ env = process.env, owner = "cli", log = () => {} } = {}) {
  const settings = loadSettings(env);
  const began = Date.now();
  return withStartLock(settings, async () => {
    const current = readState(settings);
    if (isBroker(current)) {
      if (current.version !== settings.version) {
        log(`Kafka ${current.version} is running; stop it first to switch to ${settings.version}`);
      }
      return { ...current, alreadyRunning: true, seconds: seconds(began) };
    }
    if (current) removeState(settings);
    await assertPortsFree(settings);
    const started = await launchAndWait(settings, owner, log);
    return { ...started, alreadyRunning: false, seconds: seconds(began) };
  });
}

async function stopUnlocked(settings, log) {
  const state = readState(settings);
  if (!isBroker(state)) {
    if (state) removeState(settings);
    return { stopped: false };
  }
  log(`stopping Kafka ${state.version} (pid ${state.pid})`);
  const how = await terminate(state.pid);
  removeState(settings);
  return { stopped: true, pid: state.pid, version: state.version, how };
}

/**
 * Stop the broker: SIGTERM, wait up to 30 s for a clean shutdown, then SIGKILL.
 * @param {{ env?: NodeJS.ProcessEnv, log?: (line: string) => void }} [options]
 */
export async function stopBroker({ env = process.env, log = () => {} } = {}) {
  const settings = loadSettings(env);
  return withStartLock(settings, () => stopUnlocked(settings, log));
}

/**
 * Whether the broker runs, and whether it answers a metadata request.
 * @param {{ env?: NodeJS.ProcessEnv }} [options]
 */
export async function brokerStatus({ env = process.env } = {}) {
  const settings = loadSettings(env);
  const state = readState(settings);
  if (!isBroker(state)) return { running: false, bootstrap: settings.bootstrap, home: settings.home };
  const answer = await probe(state.bootstrap);
  return { running: true, ready: answer.ok, ...state, ...(answer.ok ? { clusterId: answer.clusterId } : {}) };
}

/** Resolve the jars of the configured version without starting anything. */
export async function resolveJars({ env = process.env, log = () => {} } = {}) {
  const settings = loadSettings(env);
  fs.mkdirSync(settings.home, { recursive: true });
  return withStartLock(settings, () => ensureJars(settings, log));
}

/**
 * For test harnesses: take a lease and start the broker if needed. Pair with releaseTestBroker.
 * @returns {Promise<{ lease: string, bootstrap: string, startedHere: boolean, version: string }>}
 */
export async function acquireTestBroker({ env = process.env, log = () => {} } = {}) {
  const settings = loadSettings(env);
  const lease = acquireLease(settings);
  try {
    const result = await startBroker({ env, owner: "test", log });
    return {
      lease,
      bootstrap: result.bootstrap,
      startedHere: !result.alreadyRunning,
      version: result.version,
    };
  } catch (err) {
    releaseLease(settings, lease);
    throw err;
  }
}

/**
 * Release a lease; stop the broker when a test harness started it and no other live process holds a
 * lease. A broker started with `kafka:start` is never stopped here.
 */
export async function releaseTestBroker(lease, { env = process.env, log = () => {} } = {}) {
  const settings = loadSettings(env);
  return withStartLock(settings, async () => {
    releaseLease(settings, lease);
    const state = readState(settings);
    if (!state || state.owner !== "test") return { stopped: false, reason: "not started by a test run" };
    const others = liveLeases(settings);
    if (others > 0) return { stopped: false, reason: `${others} other test run(s) still use it` };
    return stopUnlocked(settings, log);
  });
}
