/**
 * How the agent keeps credentials out of what it prints (status line, `--json` events, errors):
 * the value of every query parameter whose name, or a word of it, ends in one of these words
 * becomes `[redacted]`. The words cover OAuth (`code`, `state`, `access_token`, `id_token`,
 * `client_secret`, `code_verifier`…), API keys and signed URLs (`api_key`, `X-Amz-Signature`…).
 * Matching on word endings over-redacts a few harmless names (`zipcode`) rather than miss one.
 */
const SECRET_WORDS = [
  'code',
  'state',
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'key',
  'signature',
  'sig',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'session',
  'sid',
  'nonce',
  'otp',
  'jwt',
  'assertion',
  'ticket',
  'verifier',
  'hmac',
];

/** Headers whose values are credentials, should an object with them ever be printed. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

export const REDACTED = '[redacted]';

// A `name=value` pair after `?` or `&`; the value ends where a query, a word or a JSON string does.
const QUERY_PAIR = /([?&])([^=&#\s"]+)=([^&#\s"]*)/g;

/** True when a query parameter of this name carries a credential. */
export function isSecretParameter(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A malformed escape: judge the name as written.
  }
  const words = decoded
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => SECRET_WORDS.some((secret) => word.endsWith(secret)));
}

/** `text` with the values of secret query parameters replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(QUERY_PAIR, (pair, sep: string, name: string, value: string) =>
    value !== '' && isSecretParameter(name) ? `${sep}${name}=${REDACTED}` : pair,
  );
}

/** A copy of a value about to be printed as JSON, with {@link redactSecrets} applied throughout. */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SECRET_HEADERS.has(key.toLowerCase()) ? REDACTED : redactValue(inner),
    ]),
  );
}
