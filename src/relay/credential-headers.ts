/** Headers that carry a credential by name: HTTP's own, and webhook providers' shared secrets. */
const CREDENTIAL_NAMES: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-gitlab-token',
  'x-api-key',
]);

/**
 * Words that mark a header as a credential wherever they stand as a part of its name
 * (`X-Auth-Token`, `X-Hook-Secret`, `X-Goog-Channel-Token`, `Ocp-Apim-Subscription-Key`…), and
 * parts that begin with `auth` or end in `token` (`X-Authorization`, `X-CSRFToken`).
 * Signature headers (`X-Hub-Signature-256`, `Stripe-Signature`) are not among them: they are
 * MACs of the body, not the secret, and seeing them helps debug a failing verification.
 */
const CREDENTIAL_WORDS =
  /(?:^|-)(?:\w*token|secret|password|passwd|apikey|api-key|key|auth\w*|session|credentials?)(?:-|$)/;

/** True when a header (lower-case name) carries a credential, by the built-in rules or the route's `extra` names. */
export function isCredentialHeader(name: string, extra: readonly string[] = []): boolean {
  return CREDENTIAL_NAMES.has(name) || CREDENTIAL_WORDS.test(name) || extra.includes(name);
}

/** What a credential's value is shown as. */
export const REDACTED = '[redacted]';
