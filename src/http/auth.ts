import { createHash, timingSafeEqual } from "node:crypto";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * Checks an `Authorization` header against the configured bearer token in constant time.
 * With no token configured every request passes.
 */
export function bearerAuthorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined || token === "") return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (match?.[1] === undefined) return false;
  return timingSafeEqual(digest(match[1]), digest(token));
}
