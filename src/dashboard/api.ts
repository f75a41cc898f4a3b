/** Fetches from the tracewatch API with the bearer token kept in sessionStorage. */

const TOKEN_KEY = "tracewatch.token";

export class Unauthorized extends Error {}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string): void {
  if (value === "") sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
}

/** GET a JSON document; null on 404; throws Unauthorized on 401. */
export async function get<T>(path: string): Promise<T | null> {
  const t = token();
  const res = await fetch(path, { headers: t === null ? {} : { authorization: `Bearer ${t}` } });
  if (res.status === 401) throw new Unauthorized("token needed");
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export function esc(s: unknown): string {
  return String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

export function ms(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 0)} ms`;
}
