import { GatehouseError } from '../errors.ts';

/** Invalid configuration: the message names the key and where it came from. */
export class ConfigError extends GatehouseError {
  readonly code = 'CONFIG_INVALID';
}
