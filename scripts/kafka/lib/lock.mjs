// Coordination between processes that share one .kafka directory (several test runs at once):
// a start lock so only one of them launches the broker, and leases so the last user stops it.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive } from "./process.mjs";

function lockHolder(lockFile) {
  try {
    return Number(fs.readFileSync(lockFile, "utf8").trim());
  } catch (err) {
    if (err.code === "ENOENT") return null;
    throw err;
  }
}

/**
 * Run fn while holding the start lock. A lock left by a dead process is taken over.
 * @template T
 * @param {{ lockFile: string, home: string }} settings
 * @param {() => Promise<T>} fn
 * @param {number} [timeoutMs] how long to wait for another holder (default 5 min: it may be resolving jars)
 * @returns {Promise<T>}
 */
export async function withStartLock(settings, fn, timeoutMs = 300_000) {
  fs.mkdirSync(settings.home, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(settings.lockFile, String(process.pid), { flag: "wx" });
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      const holder = lockHolder(settings.lockFile);
      if (holder !== null && (!Number.isInteger(holder) || !isAlive(holder))) {
        fs.rmSync(settings.lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${settings.lockFile} is held by pid ${holder}`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(settings.lockFile, { force: true });
  }
}

/** Register this process as a user of the broker; returns the lease id for releaseLease. */
export function acquireLease(settings) {
  fs.mkdirSync(settings.leasesDir, { recursive: true });
  const id = `${process.pid}-${randomBytes(4).toString("hex")}`;
  fs.writeFileSync(path.join(settings.leasesDir, `${id}.lease`), String(process.pid));
  return id;
}

export function releaseLease(settings, id) {
  fs.rmSync(path.join(settings.leasesDir, `${id}.lease`), { force: true });
}

/** Number of leases held by live processes; leases of dead processes are removed. */
export function liveLeases(settings) {
  let names;
  try {
    names = fs.readdirSync(settings.leasesDir);
  } catch (err) {
    if (err.code === "ENOENT") return 0;
    throw err;
  }
  let live = 0;
  for (const name of names.filter((n) => n.endsWith(".lease"))) {
    const pid = Number(name.split("-")[0]);
    if (Number.isInteger(pid) && isAlive(pid)) live += 1;
    else fs.rmSync(path.join(settings.leasesDir, name), { force: true });
  }
  return live;
}
