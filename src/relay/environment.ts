/** Environments in which the relay may run, unless configured otherwise. */
export const DEFAULT_RELAY_ENVIRONMENTS: readonly string[] = ['dev', 'lcl', 'inf'];

/**
 * The environment name Gatehouse runs in: `GATEHOUSE_ENV`, else the proposal's `ENV`, lower-cased.
 * Undefined when neither is set, which keeps the relay off.
 */
export function environmentName(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = env['GATEHOUSE_ENV'] || env['ENV'];
  return value ? value.trim().toLowerCase() : undefined;
}

/** True only when the relay is switched on and the environment is one it may run in. */
export function relayAllowed(
  enabled: boolean,
  environment: string | undefined,
  allowed: readonly string[],
): boolean {
  return enabled && environment !== undefined && allowed.includes(environment);
}
