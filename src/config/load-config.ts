import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type ZodError, z } from 'zod';
import { ConfigError } from '../core/config-error.ts';
import { configErrorMap } from './issue-message.ts';
import { type ServeConfig, serveConfig } from './schema.ts';
import { CONFIG_FILE, SETTINGS, type Setting } from './settings.ts';
import { type TeslaConfig, teslaConfig } from './tesla-schema.ts';

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

  const file = asString(sources.flags[CONFIG_FILE.flag]) ?? sources.env[CONFIG_FILE.env];
  if (file) {
    const fromFile = readConfigFile(file, sources.readFile ?? ((p) => readFileSync(p, 'utf8')));
    for (const [key, value] of Object.entries(fromFile)) {
      merged[key] = value;
      markOrigins(origin, key, value, `config file ${file}`);
    }
  }
  readEnvironment(SETTINGS, sources.env, merged, origin);
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
  return validated(serveConfig, merged, origin);
}

/** What the `gatehouse fleet` commands' own flags set: the Tesla region and the simulator. */
export interface TeslaFlags {
  readonly region?: string | undefined;
  readonly simulator?: string | undefined;
}

/**
 * The `tesla` settings alone, from the `TESLA_*` variables and the fleet commands' flags, validated
 * as `serve` validates them; the rest of the serve configuration is not read.
 */
export function loadTeslaConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: TeslaFlags = {},
): TeslaConfig {
  const origin = new Map<string, string>();
  const merged: Record<string, unknown> = {};
  readEnvironment(
    SETTINGS.filter((s) => s.key.startsWith('tesla.')),
    env,
    merged,
    origin,
  );
  for (const [name, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    setPath(merged, `tesla.${name}`, value);
    origin.set(`tesla.${name}`, `--${name}`);
  }
  return validated(z.object({ tesla: teslaConfig.default(teslaConfig.parse({})) }), merged, origin).tesla;
}

/** Sets each setting whose variable (or an older name of it) is set and not empty. */
function readEnvironment(
  settings: readonly Setting[],
  env: Readonly<Record<string, string | undefined>>,
  merged: Record<string, unknown>,
  origin: Map<string, string>,
): void {
  for (const setting of settings) {
    const name = [setting.env, ...(setting.aliases ?? [])].find((n) => env[n] !== undefined && env[n] !== '');
    if (name !== undefined) {
      const value = env[name]!;
      setPath(merged, setting.key, setting.boolean ? parseBoolean(value, name) : value);
      origin.set(setting.key, `environment variable ${name}`);
    }
  }
}

/** The merged settings parsed by `schema`, or a {@link ConfigError} naming the key and its source. */
function validated<S extends z.ZodType>(
  schema: S,
  merged: Record<string, unknown>,
  origin: Map<string, string>,
): z.output<S> {
  const result = schema.safeParse(merged, { error: configErrorMap(schema) });
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
