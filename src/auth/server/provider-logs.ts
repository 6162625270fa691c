import type Provider from 'oidc-provider';
import type { Logger } from '../../core/logger.ts';

/** oidc-provider's error events that answer a client's mistake (logged at info, not as failures). */
const CLIENT_ERROR_EVENTS = [
  'authorization.error',
  'grant.error',
  'registration_create.error',
  'introspection.error',
  'revocation.error',
  'userinfo.error',
  'device_authorization.error',
  'code_verification.error',
  'discovery.error',
  'jwks.error',
] as const;

/**
 * Sends oidc-provider's events to Gatehouse's logger. Only the error's name and description are
 * logged: never the request's parameters, which carry codes and tokens.
 */
export function bridgeProviderLogs(provider: Provider, logger: Logger): void {
  const log = logger.child({ component: 'oauth' });
  provider.on('server_error', (_ctx: unknown, error: Error) =>
    log.error({ err: error }, 'authorization server error'),
  );
  for (const event of CLIENT_ERROR_EVENTS) {
    (provider.on as (name: string, listener: (...args: never[]) => void) => void)(
      event,
      (_ctx: unknown, error: { error?: string; error_description?: string; error_detail?: string }) =>
        log.info(
          { event, error: error.error, description: error.error_description, detail: causes(error) },
          'oauth request refused',
        ),
    );
  }
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => log.info({ grantId }, 'grant revoked'));
}

/** The messages of an error's causes, innermost last: why a fetch failed, not just that it did. */
function causes(error: { error_detail?: string; cause?: unknown }): string | undefined {
  const parts: string[] = error.error_detail ? [error.error_detail] : [];
  let cause = error.cause as { message?: string; cause?: unknown } | undefined;
  for (let depth = 0; cause && depth < 4; depth++, cause = cause.cause as typeof cause) {
    if (cause.message && !parts.includes(cause.message)) parts.push(cause.message);
  }
  return parts.length ? parts.join(': ') : undefined;
}
