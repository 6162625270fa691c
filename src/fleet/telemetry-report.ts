import type { TelemetryConfigAnswer, TelemetryConfigUpdate, TelemetryError } from './api/fleet-types.ts';

/** What each skipped list of `fleet_telemetry_config_jws` means and what to do about it. */
export function skippedMeaning(reason: string, pairUrl: string | undefined): string {
  switch (reason) {
    case 'missing_key':
      return `the vehicle does not hold the application's virtual key: the owner pairs it at ${pairUrl ?? "the pairing link ('gatehouse fleet pair-link --domain <your domain>')"}, then send again`;
    case 'unsupported_firmware':
      return 'the firmware is too old for signed configurations: it needs 2024.26 or later (send again after the update)';
    case 'max_configs':
      return 'the vehicle streams to five servers already, the most it allows: another application must delete its configuration first';
    case 'unsupported_hardware':
      return 'the vehicle cannot stream telemetry (pre-2021 Model S and X do not)';
    default:
      return 'Tesla skipped it for a reason this version does not know';
  }
}

/** The outcome of sending a configuration, in lines. */
export function describeUpdate(update: TelemetryConfigUpdate, pairUrl: string | undefined): string[] {
  const lines = [`Updated ${update.updated_vehicles} vehicle${update.updated_vehicles === 1 ? '' : 's'}.`];
  for (const [reason, vins] of Object.entries(update.skipped_vehicles ?? {})) {
    if (!vins?.length) continue;
    lines.push(`Skipped (${reason}): ${vins.join(', ')}`, `  ${skippedMeaning(reason, pairUrl)}`);
  }
  return lines;
}

/** The number of vehicles Tesla skipped. */
export function skippedCount(update: TelemetryConfigUpdate): number {
  return Object.values(update.skipped_vehicles ?? {}).reduce((sum, vins) => sum + (vins?.length ?? 0), 0);
}

/** A vehicle's configuration answer, in lines. */
export function describeConfigAnswer(vin: string, answer: TelemetryConfigAnswer): string[] {
  const lines = [
    `${vin}: synced ${answer.synced}, key paired ${answer.key_paired ?? 'unknown'}, limit reached ${answer.limit_reached ?? 'unknown'}`,
  ];
  const config = answer.config;
  if (!config) {
    lines.push('  No configuration of this application on the vehicle.');
    return lines;
  }
  const exp = typeof config['exp'] === 'number' ? new Date(config['exp'] * 1000).toISOString() : 'none';
  const fields =
    config['fields'] && typeof config['fields'] === 'object' ? Object.entries(config['fields']) : [];
  lines.push(
    `  server   ${String(config['hostname'])}:${String(config['port'] ?? 443)}`,
    `  expires  ${exp}`,
    `  fields   ${fields.map(([name, s]) => `${name} every ${(s as { interval_seconds?: number }).interval_seconds ?? '?'}s`).join(', ') || 'none'}`,
  );
  if (Array.isArray(config['alert_types'])) lines.push(`  alerts   ${config['alert_types'].join(', ')}`);
  if (answer.synced) {
    lines.push(
      '  The vehicle has the configuration. If no data arrives yet: it can take hours after sync, vehicles send only on change, and sending the configuration again makes the vehicle resend everything.',
    );
  } else {
    lines.push('  Not synced yet: the vehicle takes the configuration when it is next online.');
  }
  if (answer.key_paired === false)
    lines.push('  The virtual key is not paired: the configuration cannot take effect until it is.');
  return lines;
}

/** What a telemetry error means, for the ones users meet most; undefined for others. */
export function explainTelemetryError(error: string): string | undefined {
  if (/unknown issuer/i.test(error)) {
    return "the configuration was signed with a key other than the one registered for the domain: sign with the registered key, or register this one ('gatehouse fleet partner verify')";
  }
  if (/only NIST-P256/i.test(error)) {
    return 'the signing key is not an EC P-256 key: sign with the prime256v1 key registered with Tesla';
  }
  if (/crypto\/ecdsa: verification error|InvalidSignature/i.test(error)) {
    return "the signature does not verify against the registered key: the token was changed after signing, or signed with another key; sign again with 'gatehouse fleet telemetry-config send'";
  }
  if (/certificate|x509|tls/i.test(error)) {
    return "the vehicle could not verify the telemetry server's certificate with the configuration's ca: check the chain with 'telemetry-config send' (it checks before sending)";
  }
  return undefined;
}

/** Telemetry errors in lines, each with its explanation when known. */
export function describeTelemetryErrors(errors: readonly TelemetryError[]): string[] {
  if (errors.length === 0) return ['No telemetry errors reported.'];
  return errors.flatMap((e) => {
    const head = `${e.created_at ?? ''} ${e.vin ?? ''} ${e.error_name ?? e.name ?? ''}`
      .replace(/\s+/g, ' ')
      .trim();
    const meaning = explainTelemetryError(e.error);
    return [`${head ? `${head}: ` : ''}${e.error}`, ...(meaning ? [`  → ${meaning}`] : [])];
  });
}
