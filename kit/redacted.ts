/**
 * What a secret is replaced by in every log line and span attribute the kit writes, and the rule
 * for credentials inside URLs. Plain string work, no Node API: the service, the inventory, its
 * seed and the telemetry preload all import it.
 */
export const REDACTED = 'REDACTED';

// `scheme://user:password@` anywhere in a text: in a URL the userinfo is a credential.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/**
 * The text with the userinfo of every URL in it (`http://user:pass@host`) replaced by REDACTED.
 * For anything that may carry an endpoint into a log line or a span: a configured endpoint, an
 * SDK diagnostic, an echoed configuration value.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(USERINFO, `$1${REDACTED}@`);
}
