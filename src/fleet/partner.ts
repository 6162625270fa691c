import { GatehouseError } from '../core/errors.ts';
import type { FleetApi } from './api/fleet-api.ts';
import type { FleetStatus, PartnerAccount } from './api/fleet-types.ts';
import { checkHostedKey, type HostedKeyCheck, type HttpsReach } from './hosted-key.ts';
import type { FleetKey } from './keys.ts';

/** What registration did: the hosted-key check that allowed it and what Tesla registered. */
export interface PartnerRegistration {
  readonly check: HostedKeyCheck;
  readonly account: PartnerAccount;
}

/**
 * Registers `domain` as the application's partner domain, after checking its hosted key the way
 * Tesla will: with a problem, Tesla is not called at all and the refusal names each problem.
 */
export async function registerPartnerDomain(input: {
  readonly api: FleetApi;
  readonly domain: string;
  readonly reach: HttpsReach;
  readonly localKey: FleetKey | undefined;
}): Promise<PartnerRegistration> {
  const check = await checkHostedKey(input.domain, input.reach, input.localKey);
  if (check.problems.length > 0) {
    throw new GatehouseError(
      'FLEET_HOSTED_KEY_INVALID',
      `not registering ${input.domain}: Tesla would refuse its key.\n${check.problems.map((p) => `  - ${p.message}`).join('\n')}\nFix it, check with 'gatehouse fleet keys check --domain ${input.domain}', then register again.`,
    );
  }
  return { check, account: await input.api.registerPartner(input.domain) };
}

/** Tesla's registered key for a domain against the local one. */
export interface PartnerKeyComparison {
  readonly domain: string;
  /** The registered point as Tesla gives it (hex), empty when Tesla holds none. */
  readonly registered: string;
  readonly local: string;
  readonly matches: boolean;
}

/** Compares the key Tesla holds for `domain` with the local key; refuses when they differ or Tesla has none. */
export async function verifyPartnerKey(
  api: FleetApi,
  domain: string,
  localKey: FleetKey,
): Promise<PartnerKeyComparison> {
  const answer = await api.partnerPublicKey(domain);
  const registered = (answer?.public_key ?? '').trim().toLowerCase();
  const local = Buffer.from(localKey.publicPoint).toString('hex');
  if (!registered) {
    throw new GatehouseError(
      'FLEET_KEY_MISMATCH',
      `Tesla holds no key for ${domain}: register it with 'gatehouse fleet partner register --domain ${domain}'`,
    );
  }
  if (registered !== local) {
    throw new GatehouseError(
      'FLEET_KEY_MISMATCH',
      `Tesla holds a different key for ${domain} than ${localKey.source}:\n  Tesla: ${registered}\n  local: ${local}\nVehicles paired with Tesla's key refuse what this key signs. Host the key Tesla holds, or host this one and register again.`,
    );
  }
  return { domain, registered, local, matches: true };
}

/** `fleet_status` as table rows: VIN, paired, firmware, telemetry version, keys. */
export function fleetStatusRows(status: FleetStatus, vins: readonly string[]): string[][] {
  const paired = new Set(status.key_paired_vins);
  return vins.map((vin) => {
    const info = status.vehicle_info?.[vin];
    return [
      vin,
      paired.has(vin) ? 'yes' : status.unpaired_vins.includes(vin) ? 'no' : 'unknown',
      info?.firmware_version ?? '-',
      info?.fleet_telemetry_version ?? '-',
      info?.total_number_of_keys === undefined ? '-' : String(info.total_number_of_keys),
    ];
  });
}
