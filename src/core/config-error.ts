import { type ConfigErrorCode, GatehouseError, type GatehouseErrorOptions } from './errors.ts';

/**
 * Invalid configuration: the message names the key and where it came from. It lives in core, not
 * in config/, because each area checks its own settings (a sink's broker, the secret key, the OIDC
 * issuer) and every layer may raise it.
 */
export class ConfigError extends GatehouseError<ConfigErrorCode> {
  constructor(message: string, options?: GatehouseErrorOptions) {
    super('CONFIG_INVALID', message, options);
  }
}
