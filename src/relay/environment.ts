/** Environments in which the relay may run, unless configured otherwise. */
export const DEFAULT_RELAY_ENVIRONMENTS: readonly string[] = ['dev', 'lcl', 'inf'];

/** True only when the relay is switched on and the environment is one it may run in. */
export function relayAllowed(
  enabled: boolean,
  environment: string | undefined,
  allowed: readonly string[],
): boolean {
  return enabled && environment !== undefined && allowed.includes(environment);
}
