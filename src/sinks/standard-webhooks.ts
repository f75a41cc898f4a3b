import { createHmac } from "node:crypto";
import { TracewatchError } from "../errors.js";
import type { Secret } from "./secret.js";

const PREFIX = "whsec_";

/**
 * The HMAC key of a Standard Webhooks secret: after a `whsec_` prefix the secret is base64 and the
 * key is its decoded bytes (as the spec defines); a secret without the prefix is used as its UTF-8
 * bytes. Throws TW_CONFIG_INVALID for a `whsec_` secret that is not base64 (the message never
 * contains the secret).
 */
export function signingKey(secret: Secret): Buffer {
  const raw = secret.reveal();
  if (!raw.startsWith(PREFIX)) return Buffer.from(raw, "utf8");
  const b64 = raw.slice(PREFIX.length);
  if (b64.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw new TracewatchError(
      "TW_CONFIG_INVALID",
      "webhook secret starts with whsec_ but the rest is not base64",
    );
  }
  return Buffer.from(b64, "base64");
}

/** The Standard Webhooks headers of one delivery attempt. */
export interface WebhookSignatureHeaders {
  readonly "webhook-id": string;
  /** Unix seconds of this attempt. */
  readonly "webhook-timestamp": string;
  /** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`; absent when no secret is configured. */
  readonly "webhook-signature"?: string;
}

/** Signs `body` for message `id` at `timestampSec` with `key` (from {@link signingKey}). */
export function signWebhook(
  id: string,
  timestampSec: number,
  body: string,
  key: Buffer | null,
): WebhookSignatureHeaders {
  const ts = String(Math.floor(timestampSec));
  if (key === null) return { "webhook-id": id, "webhook-timestamp": ts };
  const mac = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": `v1,${mac}` };
}
