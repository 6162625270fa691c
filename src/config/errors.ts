import { type ConfigErrorCode, GatehouseError, type GatehouseErrorOptions } from '../core/errors.ts';

/** Invalid configuration: the message names the key and where it came from. */
export class ConfigError extends GatehouseError<ConfigErrorCode> {
  constructor(message: string, options?: GatehouseErrorOptions) {
    super('CONFIG_INVALID', message, options);
  }
}
