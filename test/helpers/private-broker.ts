import { existsSync } from "node:fs";
import { symlink } from "node:fs/promises";
import { createServer } from "node:net";
import { loadSettings } from "../../scripts/kafka/kafka.mjs";

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

/**
 * The environment of a test's own broker, on its own ports and home (start it with
 * `startBroker({ env, owner: "test" })` of scripts/kafka/kafka.mjs), so stopping it leaves the
 * shared one alone. The jars already resolved for the shared broker are reused through a link.
 */
export async function privateBroker(home: string): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRACEWATCH_KAFKA_HOME: home,
    TRACEWATCH_KAFKA_PORT: String(await freePort()),
    TRACEWATCH_KAFKA_CONTROLLER_PORT: String(await freePort()),
    TRACEWATCH_KAFKA_HEAP: "384m",
  };
  const shared = loadSettings(process.env).libDir;
  const own = loadSettings(env).libDir;
  if (existsSync(shared)) await symlink(shared, own);
  return env;
}
