import { existsSync, readFileSync, readdirSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

/**
 * Where the built dashboard is: `dist/dashboard/` of the package, the same path from
 * `src/http/` (tests) and `dist/http/` (the installed package).
 */
export const DASHBOARD_DIR = fileURLToPath(new URL("../../dist/dashboard/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};
const HIDDEN = { hide: true } as const;

/**
 * Serves the dashboard's files at `/` and `/dashboard/<file>` (no token: the page holds no data;
 * its API calls carry the token the user enters). Files are read once; without a built dashboard,
 * `/` answers 503 saying how to build it.
 */
export function registerDashboard(app: FastifyInstance, dir: string = DASHBOARD_DIR): void {
  const files = new Map<string, Buffer>();
  if (existsSync(dir))
    for (const name of readdirSync(dir))
      if (TYPES[extname(name)] !== undefined) files.set(name, readFileSync(join(dir, name)));
  app.get("/", { schema: HIDDEN }, async (_request, reply) => {
    const index = files.get("index.html");
    if (index === undefined)
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("dashboard not built: run `npm run build` (node scripts/build-dashboard.mjs)\n");
    return reply.type(TYPES[".html"]!).header("cache-control", "no-cache").send(index);
  });
  app.get("/dashboard/:file", { schema: HIDDEN }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const body = files.get(file);
    if (body === undefined)
      return reply.code(404).type("text/plain; charset=utf-8").send(`no dashboard file ${file}\n`);
    return reply.type(TYPES[extname(file)]!).header("cache-control", "no-cache").send(body);
  });
}
