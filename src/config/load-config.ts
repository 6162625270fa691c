import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ZodError } from 'zod';
import { ConfigError } from '../core/config-error.ts';
import { configErrorMap } from './issue-message.ts';
import { type ServeConfig, serveConfig } from './schema.ts';

/** A setting's dotted key (`tls.cert`) and the flag and variable that can set it. */
interface Setting {
  readonly key: string;
  /** No flag for secrets: command lines are visible to every user of the machine. */
  readonly flag?: string;
  readonly env: string;
  /** Older names of the variable, read when `env` is not set. */
  readonly aliases?: readonly string[];
  readonly boolean?: boolean;
  /** Its value never appears in a message. */
  readonly secret?: boolean;
}

/** Every setting reachable from the command line or the environment. */
export const SETTINGS: readonly Setting[] = [
  { key: 'port', flag: 'port', env: 'GATEHOUSE_PORT' },
  { key: 'host', flag: 'host', env: 'GATEHOUSE_HOST' },
  { key: 'data', flag: 'data', env: 'GATEHOUSE_DATA' },
  { key: 'store', flag: 'store', env: 'GATEHOUSE_STORE' },
  { key: 'domain', flag: 'domain', env: 'GATEHOUSE_DOMAIN' },
  { key: 'tls.port', flag: 'tls-port', env: 'GATEHOUSE_TLS_PORT' },
  { key: 'tls.cert', flag: 'tls-cert', env: 'GATEHOUSE_TLS_CERT' },
  { key: 'tls.key', flag: 'tls-key', env: 'GATEHOUSE_TLS_KEY' },
  { key: 'trustProxy', flag: 'trust-proxy', env: 'GATEHOUSE_TRUST_PROXY', boolean: true },
  { key: 'shutdownTimeoutMs', flag: 'shutdown-timeout', env: 'GATEHOUSE_SHUTDOWN_TIMEOUT_MS' },
  { key: 'maxHeaderSize', flag: 'max-header-size', env: 'GATEHOUSE_MAX_HEADER_SIZE' },
  { key: 'logLevel', flag: 'log-level', env: 'GATEHOUSE_LOG_LEVEL' },
  { key: 'tunnels.heartbeatMs', flag: 'tunnel-heartbeat', env: 'GATEHOUSE_TUNNEL_HEARTBEAT_MS' },
  { key: 'tunnels.offlineWaitMs', flag: 'tunnel-offline-wait', env: 'GATEHOUSE_TUNNEL_OFFLINE_WAIT_MS' },
  { key: 'tunnels.maxConcurrentStreams', flag: 'tunnel-max-streams', env: 'GATEHOUSE_TUNNEL_MAX_STREAMS' },
  { key: 'tunnels.maxBodyBytes', flag: 'tunnel-max-body', env: 'GATEHOUSE_TUNNEL_MAX_BODY' },
  {
    key: 'tunnels.responseTimeoutMs',
    flag: 'tunnel-response-timeout',
    env: 'GATEHOUSE_TUNNEL_RESPONSE_TIMEOUT_MS',
  },
  {
    key: 'relay.enabled',
    flag: 'relay',
    env: 'GATEHOUSE_RELAY',
    aliases: ['DEV_PROXY_ENABLED'],
    boolean: true,
  },
  { key: 'relay.secret', env: 'GATEHOUSE_RELAY_SECRET', aliases: ['DEV_PROXY_SHARED_SECRET'], secret: true },
  {
    key: 'relay.maxTtlSeconds',
    flag: 'relay-max-ttl',
    env: 'GATEHOUSE_RELAY_MAX_TTL',
    aliases: ['DEV_PROXY_MAX_TTL'],
  },
  { key: 'tunnels.maxPerOwner', flag: 'tunnel-max-per-key', env: 'GATEHOUSE_TUNNEL_MAX_PER_KEY' },
  { key: 'tunnels.perUser', flag: 'tunnels-per-user', env: 'GATEHOUSE_TUNNELS_PER_USER' },
  { key: 'fleet.key', flag: 'fleet-key', env: 'GATEHOUSE_FLEET_KEY' },
  { key: 'fleet.privateKey', env: 'TESLA_PRIVATE_KEY', secret: true },
  { key: 'fleet.publicKeyPath', env: 'PUBLIC_KEY_PATH' },
  { key: 'fleet.domains', flag: 'fleet-domain', env: 'GATEHOUSE_FLEET_DOMAIN' },
  { key: 'secretKey', env: 'GATEHOUSE_SECRET_KEY', secret: true },
  { key: 'telemetry.port', flag: 'telemetry-port', env: 'GATEHOUSE_TELEMETRY_PORT' },
  {
    key: 'telemetry.host',
    flag: 'telemetry-host',
    env: 'GATEHOUSE_TELEMETRY_HOST',
    aliases: ['TELEMETRY_HOST'],
  },
  {
    key: 'telemetry.cert',
    flag: 'telemetry-cert',
    env: 'GATEHOUSE_TELEMETRY_CERT',
    aliases: ['TLS_CERT_PATH'],
  },
  { key: 'telemetry.key', flag: 'telemetry-key', env: 'GATEHOUSE_TELEMETRY_KEY', aliases: ['TLS_KEY_PATH'] },
  { key: 'telemetry.ca', flag: 'telemetry-ca', env: 'GATEHOUSE_TELEMETRY_CA', aliases: ['TLS_CA_PATH'] },
  { key: 'dashboardToken', env: 'GATEHOUSE_DASHBOARD_TOKEN', aliases: ['DASHBOARD_TOKEN'], secret: true },
  // upstream login: client secrets come from the environment or the config file, never a flag
  { key: 'login.github.clientId', flag: 'github-client-id', env: 'GITHUB_CLIENT_ID' },
  { key: 'login.github.clientSecret', env: 'GITHUB_CLIENT_SECRET', secret: true },
  { key: 'login.github.url', flag: 'github-url', env: 'GITHUB_URL' },
  { key: 'login.github.apiUrl', flag: 'github-api-url', env: 'GITHUB_API_URL' },
  { key: 'login.gitlab.clientId', flag: 'gitlab-client-id', env: 'GITLAB_CLIENT_ID' },
  { key: 'login.gitlab.clientSecret', env: 'GITLAB_CLIENT_SECRET', secret: true },
  { key: 'login.gitlab.url', flag: 'gitlab-url', env: 'GITLAB_URL' },
  { key: 'login.oidc.issuer', flag: 'oidc-issuer', env: 'GATEHOUSE_OIDC_ISSUER' },
  { key: 'login.oidc.clientId', flag: 'oidc-client-id', env: 'GATEHOUSE_OIDC_CLIENT_ID' },
  { key: 'login.oidc.clientSecret', env: 'GATEHOUSE_OIDC_CLIENT_SECRET', secret: true },
  { key: 'auth.host', flag: 'auth-host', env: 'GATEHOUSE_AUTH_HOST' },
  { key: 'auth.adminUsers', flag: 'admin-users', env: 'GATEHOUSE_ADMIN_USERS' },
  { key: 'auth.tunnelUsers', flag: 'tunnel-users', env: 'GATEHOUSE_TUNNEL_USERS' },
  { key: 'auth.accessTokenMinutes', flag: 'access-token-minutes', env: 'GATEHOUSE_ACCESS_TOKEN_MINUTES' },
  { key: 'auth.refreshTokenDays', flag: 'refresh-token-days', env: 'GATEHOUSE_REFRESH_TOKEN_DAYS' },
];

/** Inputs to {@link loadConfig}: parsed flags, the environment, and a file reader (for tests). */
export interface ConfigSources {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile?: (path: string) => string;
}

/**
 * Merges defaults < config file (`--config` / `GATEHOUSE_CONFIG`, YAML or JSON) < environment <
 * flags, and validates the result. Errors name the key and which source set it.
 */
export function loadConfig(sources: ConfigSources): ServeConfig {
  const origin = new Map<string, string>();
  const merged: Record<string, unknown> = {};

  const file = asString(sources.flags['config']) ?? sources.env['GATEHOUSE_CONFIG'];
  if (file) {
    const fromFile = readConfigFile(file, sources.readFile ?? ((p) => readFileSync(p, 'utf8')));
    for (const [key, value] of Object.entries(fromFile)) {
      merged[key] = value;
      markOrigins(origin, key, value, `config file ${file}`);
    }
  }
  for (const setting of SETTINGS) {
    const name = [setting.env, ...(setting.aliases ?? [])].find(
      (n) => sources.env[n] !== undefined && sources.env[n] !== '',
    );
    if (name !== undefined) {
      const value = sources.env[name]!;
      setPath(merged, setting.key, setting.boolean ? parseBoolean(value, name) : value);
      origin.set(setting.key, `environment variable ${name}`);
    }
  }
  for (const setting of SETTINGS) {
    if (setting.flag === undefined) continue;
    const value = sources.flags[setting.flag];
    if (value !== undefined) {
      setPath(
        merged,
        setting.key,
        setting.boolean && typeof value === 'string' ? parseBoolean(value, `--${setting.flag}`) : value,
      );
      origin.set(setting.key, `--${setting.flag}`);
    }
  }

  if (merged['listeners'] !== undefined) {
    const clash = ['port', 'host', 'tls'].find((key) =>
      [...origin.keys()].some((k) => k === key || k.startsWith(`${key}.`)),
    );
    if (clash) {
      const from = [...origin.entries()].find(([k]) => k === clash || k.startsWith(`${clash}.`))?.[1];
      throw new ConfigError(
        `invalid configuration: ${clash} (from ${from}) cannot be combined with listeners: give each listener its own port, host and tls`,
        { field: clash },
      );
    }
  }
  const result = serveConfig.safeParse(merged, { error: configErrorMap(serveConfig) });
  if (!result.success) throw describe(result.error, origin, merged);
  return result.data;
}

function readConfigFile(path: string, read: (path: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = read(path);
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`, {
      field: 'config',
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      {
        field: 'config',
        cause: error,
      },
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`config file ${path} must hold a mapping of settings`, { field: 'config' });
  }
  return value as Record<string, unknown>;
}

function markOrigins(origin: Map<string, string>, key: string, value: unknown, source: string): void {
  origin.set(key, source);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) markOrigins(origin, `${key}.${k}`, v, source);
  }
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!next || typeof next !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

function parseBoolean(value: string, source: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${source}: must be true or false, got "${value}"`, { field: source });
}

/** A scalar as it was typed; nothing for a mapping, a list, an empty string or a missing value. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '' : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const part of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

function asString(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function describe(
  error: ZodError,
  origin: Map<string, string>,
  merged: Record<string, unknown>,
): ConfigError {
  const issue = error.issues[0]!;
  let key = issue.path.map(String).join('.');
  const secret = SETTINGS.some((s) => s.secret && s.key === key);
  const given = secret ? '' : shown(valueAt(merged, issue.path));
  // A rule that is itself a list of clauses takes the value after a semicolon, to stay readable.
  const message = given
    ? `${issue.message}${/[;,]/.test(issue.message) ? ';' : ','} got ${given}`
    : issue.message;
  if (issue.code === 'unrecognized_keys') key = [key, issue.keys[0]].filter(Boolean).join('.');
  const from = origin.get(key) ?? [...origin.entries()].find(([k]) => key.startsWith(`${k}.`))?.[1];
  return new ConfigError(
    `invalid configuration: ${key || '(root)'}${from ? ` (from ${from})` : ''}: ${message}`,
    {
      field: key,
    },
  );
}
