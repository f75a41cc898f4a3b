import { execFileSync } from "node:child_process";
import { cpus, totalmem, arch, platform, release } from "node:os";
import { fileURLToPath } from "node:url";

/** Where and when figures were measured. */
export interface RunEnvironment {
  readonly machine: {
    readonly cpu_model: string;
    readonly cores: number;
    readonly memory_gib: number;
    readonly os: string;
  };
  readonly node: string;
  /** `git rev-parse HEAD` of the checkout, with `-dirty` when it has uncommitted changes; null outside git. */
  readonly commit: string | null;
  /** ISO 8601 UTC. */
  readonly date: string;
}

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

/** The machine, Node version, commit and current date. */
export function runEnvironment(now: Date = new Date()): RunEnvironment {
  const list = cpus();
  const head = git(["rev-parse", "HEAD"]);
  const dirty = head !== null && (git(["status", "--porcelain", "--untracked-files=no"]) ?? "") !== "";
  return {
    machine: {
      cpu_model: list[0]?.model.trim() ?? "unknown",
      cores: list.length,
      memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      os: `${platform()} ${release()} ${arch()}`,
    },
    node: process.version,
    commit: head === null ? null : `${head}${dirty ? "-dirty" : ""}`,
    date: now.toISOString(),
  };
}
