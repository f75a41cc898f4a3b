// The broker process: its state file, liveness checks, launching and stopping.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { run } from "./classpath.mjs";

/** Read .kafka/broker.json, or null when there is none or it cannot be parsed. */
export function readState(settings) {
  let text;
  try {
    text = fs.readFileSync(settings.stateFile, "utf8");
  } catch (err) {
    if (err.code === "ENOENT") return null;
    throw err;
  }
  try {
    const state = JSON.parse(text);
    return Number.isInteger(state.pid) && state.pid > 0 ? state : null;
  } catch {
    // A torn or hand-edited file: treat it as no broker, start() rewrites it.
    return null;
  }
}

export function writeState(settings, state) {
  const tmp = `${settings.stateFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, settings.stateFile);
}

export function removeState(settings) {
  fs.rmSync(settings.stateFile, { force: true });
}

/** True when pid is alive. */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

/**
 * True when pid is alive and is the broker described by state (guards against a recycled pid).
 * Where /proc is unavailable, liveness alone is used.
 */
export function isBroker(state) {
  if (!state || !isAlive(state.pid)) return false;
  let cmdline;
  try {
    cmdline = fs.readFileSync(`/proc/${state.pid}/cmdline`, "utf8");
  } catch (err) {
    if (err.code === "ENOENT" && process.platform === "linux") return false;
    return true;
  }
  return cmdline.includes("kafka.Kafka") && cmdline.includes(state.config);
}

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding, as Kafka's Uuid prints it. */
export function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

function javaArgs(settings, jars) {
  const logProperty =
    settings.major >= 4
      ? `-Dlog4j2.configurationFile=${settings.logConfig}`
      : `-Dlog4j.configuration=file:${settings.logConfig}`;
  return [
    `-Xms${settings.heap}`,
    `-Xmx${settings.heap}`,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    "-Djava.net.preferIPv4Stack=true",
    `-Dkafka.logs.dir=${settings.logsDir}`,
    logProperty,
    "-cp",
    jars.join(path.delimiter),
  ];
}

/** Write this run's server.properties from the template; returns its path. */
export function writeServerConfig(settings) {
  const template = fs.readFileSync(settings.serverTemplate, "utf8");
  const config = template
    .replaceAll("@PORT@", String(settings.port))
    .replaceAll("@CONTROLLER_PORT@", String(settings.controllerPort))
    .replaceAll("@DATA_DIR@", settings.dataDir);
  fs.mkdirSync(settings.runDir, { recursive: true });
  const file = path.join(settings.runDir, "server.properties");
  fs.writeFileSync(file, config);
  return file;
}

/** Format the storage directory unless a previous start already did. Returns true if it formatted. */
export async function formatStorage(settings, jars, config) {
  if (fs.existsSync(path.join(settings.dataDir, "meta.properties"))) return false;
  const heap = { ...settings, heap: "256m" };
  const args = [
    ...javaArgs(heap, jars),
    "kafka.tools.StorageTool",
    "format",
    "-t",
    newClusterId(),
    "-c",
    config,
    "--ignore-formatted",
  ];
  const { code, output } = await run(settings.java, args);
  if (code !== 0) throw new Error(`formatting ${settings.dataDir} failed (exit ${code}):\n${output.trim()}`);
  return true;
}

/** Launch kafka.Kafka detached, stdout and stderr appended to .kafka/logs/kafka-stdout.log. Returns the pid. */
export function launch(settings, jars, config) {
  fs.mkdirSync(settings.logsDir, { recursive: true });
  const stdoutFile = path.join(settings.logsDir, "kafka-stdout.log");
  const out = fs.openSync(stdoutFile, "a");
  try {
    const child = spawn(settings.java, [...javaArgs(settings, jars), "kafka.Kafka", config], {
      detached: true,
      stdio: ["ignore", out, out],
    });
    if (child.pid === undefined) throw new Error(`cannot start ${settings.java}: no pid`);
    child.on("error", () => {
      // Reported through the exit check in waitUntilReady; the listener keeps Node from throwing.
    });
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(out);
  }
}

/** Wait until pid exits; true if it did within timeoutMs. */
export async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/** SIGTERM, wait for a clean shutdown, SIGKILL if it does not come. Returns how it ended. */
export async function terminate(pid, graceMs = 30_000) {
  try {
    process.kill(pid, "SIGTERM");
  } catch (err) {
    if (err.code === "ESRCH") return "gone";
    throw err;
  }
  if (await waitForExit(pid, graceMs)) return "terminated";
  process.kill(pid, "SIGKILL");
  if (await waitForExit(pid, 10_000)) return "killed";
  throw new Error(`broker pid ${pid} survived SIGKILL`);
}

/** Last lines of a log file, for error messages. */
export function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return `(no ${file})`;
  }
}
