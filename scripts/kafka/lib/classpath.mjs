// The broker's runtime classpath: resolved once per Kafka version by Maven into .kafka/lib-<version>.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const MARKER = ".resolved";

/** Run a command, collecting its output; resolves with the exit code and the combined output. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (err) => reject(new Error(`cannot run ${command}: ${err.message}`, { cause: err })));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

function cachedJars(libDir) {
  if (!fs.existsSync(path.join(libDir, MARKER))) return null;
  const jars = fs.readdirSync(libDir).filter((name) => name.endsWith(".jar"));
  return jars.length > 0 ? jars.map((name) => path.join(libDir, name)) : null;
}

/**
 * Return the broker's jars, resolving them with Maven when the cache for this version is missing or
 * incomplete (an interrupted download leaves no marker and is redone).
 * @returns {Promise<{ jars: string[], resolved: boolean, seconds: number }>}
 */
export async function ensureJars(settings, log = () => {}) {
  const cached = cachedJars(settings.libDir);
  if (cached) return { jars: cached, resolved: false, seconds: 0 };
  const started = process.hrtime.bigint();
  log(`resolving Kafka ${settings.version} jars with Maven into ${settings.libDir}`);
  fs.rmSync(settings.libDir, { recursive: true, force: true });
  fs.mkdirSync(settings.libDir, { recursive: true });
  const args = [
    "-B",
    "-q",
    "-Dstyle.color=never",
    "-f",
    settings.pom,
    "dependency:copy-dependencies",
    `-P${settings.mavenProfile}`,
    `-Dkafka.version=${settings.version}`,
    `-DoutputDirectory=${settings.libDir}`,
  ];
  const { code, output } = await run(settings.mvn, args);
  if (code !== 0) {
    throw new Error(`mvn ${args.join(" ")} failed with exit code ${code}:\n${output.trim()}`);
  }
  fs.writeFileSync(path.join(settings.libDir, MARKER), `kafka ${settings.version}\n`);
  const jars = cachedJars(settings.libDir);
  if (!jars) throw new Error(`Maven reported success but ${settings.libDir} holds no jars`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { jars, resolved: true, seconds };
}
