/**
 * A URL as it may be logged, put in an error message, a metric label or a dead-letter header:
 * scheme, host, port and path. User name, password, query string and fragment are dropped: they
 * may carry credentials (`https://user:pass@host/`, `?key=...`).
 */
export function safeUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    return "[invalid URL]";
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** Anything shaped like an absolute URL inside free text (error messages from fetch or undici). */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** `text` with every URL in it reduced to its {@link safeUrl}. */
export function withoutUrlSecrets(text: string): string {
  return text.replace(URL_IN_TEXT, (match) => safeUrl(match));
}
