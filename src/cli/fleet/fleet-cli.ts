import { readFileSync } from 'node:fs';
import { GatehouseError } from '../../core/errors.ts';
import { TeslaApiError } from '../../fleet/api/tesla-error.ts';
import { parseResolve, type ResolveMap } from '../../fleet/hosted-key.ts';
import type { FleetKeySettings } from '../../fleet/keys.ts';

/** Codes that mean the command was called wrongly (exit 2), as opposed to a refusal or a failed check (exit 1). */
const USAGE_CODES = new Set(['FLEET_USAGE', 'FLEET_SETTINGS_INVALID', 'CONFIG_INVALID']);

/** A usage error: the message names what was wrong. */
export const usage = (message: string) => new GatehouseError('FLEET_USAGE', message);

/**
 * Runs one `gatehouse fleet <name>` command: errors become their message on stderr and an exit
 * code (2 for usage, 1 for refusals and Tesla's errors), never a stack trace; the parser's
 * errors are explained by the CLI's main.
 */
export async function runFleet(name: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof GatehouseError) {
      const code = error instanceof TeslaApiError ? 1 : USAGE_CODES.has(error.code) ? 2 : 1;
      process.stderr.write(`gatehouse fleet ${name}: ${error.message}\n`);
      if (code === 2 && error.code === 'FLEET_USAGE') {
        process.stderr.write(`Run 'gatehouse fleet ${name.split(' ')[0]} --help' for its options.\n`);
      }
      return code;
    }
    // An unknown option goes up to the CLI, which names the closest one the command takes.
    throw error;
  }
}

/** Where the fleet key is looked for: `--fleet-key`, `TESLA_PRIVATE_KEY`, `PUBLIC_KEY_PATH`. */
export function keySettings(file: string | undefined, env: NodeJS.ProcessEnv): FleetKeySettings {
  return { file, privateKeyEnv: env['TESLA_PRIVATE_KEY'], publicKeyPath: env['PUBLIC_KEY_PATH'] };
}

/** A file's text, or a usage error naming the flag and the file. */
export function readTextFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usage(
      `${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable' : String(code)}`,
    );
  }
}

/** `--resolve host[:port]=addr:port` entries; a malformed one is a usage error. */
export function resolveMap(entries: readonly string[] | undefined): ResolveMap {
  try {
    return parseResolve(entries ?? []);
  } catch (error) {
    throw usage((error as Error).message);
  }
}

/** `--trust CA.pem` files, read. */
export function trustedCas(files: readonly string[] | undefined): string[] {
  return (files ?? []).map((file) => readTextFile(file, '--trust'));
}

const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;

/** VINs from `--vins V1,V2` or `VEHICLE_IDS`; each must look like a VIN. */
export function vinList(flag: string | undefined, env: NodeJS.ProcessEnv, required = true): string[] {
  const vins = (flag ?? env['VEHICLE_IDS'] ?? '')
    .split(/[\s,]+/)
    .map((vin) => vin.trim().toUpperCase())
    .filter(Boolean);
  if (vins.length === 0 && required) throw usage('give the vehicles with --vins V1,V2 (or VEHICLE_IDS)');
  const bad = vins.find((vin) => !VIN.test(vin));
  if (bad) throw usage(`'${bad}' is not a VIN: 17 letters and digits (no I, O or Q)`);
  return vins;
}

/** One VIN given as the command's argument. */
export function oneVin(positional: string | undefined, command: string): string {
  if (!positional)
    throw usage(`${command} needs a VIN, e.g. gatehouse fleet telemetry-config ${command} 5YJ3E7EB2NF000001`);
  return vinList(positional, {}, true)[0]!;
}

/** Writes a line (or lines) to stdout. */
export function say(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Writes a value as JSON to stdout. */
export function sayJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes a warning to stderr. */
export function warn(name: string, text: string): void {
  process.stderr.write(`gatehouse fleet ${name}: warning: ${text}\n`);
}
