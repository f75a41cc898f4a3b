import { createHmac } from "node:crypto";
import { TracewatchError } from "../errors.js";
import type { Secret } from "./secret.js";

const PREFIX = "whsec_";
/** Standard Webhooks: the key is random, "between 24 bytes (192 bits) and 64 bytes (512 bits)". */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** How to write a secret, for start-up errors. */
export const SECRET_FORMAT_HINT =
  'a Standard Webhooks secret is "whsec_" followed by the base64 of 24 to 64 random bytes; generate one with: echo "whsec_$(openssl rand -base64 32)"';

/**
 * The HMAC key of a Standard Webhooks secret: `whsec_` then base64, the key being the decoded
 * bytes (24 to 64 of them), exactly as the specification's verifiers read it. Anything else
 * (no prefix, not base64, a key too short or too long) throws TW_CONFIG_INVALID, since a receiver
 * could not check the signatures; the message never contains the secret.
 */
export function signingKey(secret: Secret): Buffer {
  const raw = secret.reveal();
  const fail = (what: string): never => {
    throw new TracewatchError("TW_CONFIG_INVALID", `webhook secret ${what}: ${SECRET_FORMAT_HINT}`);
  };
  if (!raw.startsWith(PREFIX)) fail("does not start with whsec_");
  const b64 = raw.slice(PREFIX.length);
  if (b64.length === 0 || b64.length % 4 !== 0 || !BASE64.test(b64)) fail("is not whsec_ and base64");
  const key = Buffer.from(b64, "base64");
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES)
    fail(`decodes to ${key.length} bytes, not 24 to 64`);
  return key;
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
