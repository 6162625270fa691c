import type { HostedKeyCheck } from './hosted-key.ts';
import type { FleetKey } from './keys.ts';

/** A hosted-key check in plain lines: what was fetched, and each objection Tesla would raise. */
export function describeHostedKeyCheck(check: HostedKeyCheck, local: FleetKey | undefined): string[] {
  if (check.problems.length === 0) {
    return [
      `✓ ${check.url} serves an EC P-256 public key${local ? `, the same as ${local.source}` : ''}.`,
      ...(local ? [] : ['  (no local key given: pass --fleet-key to check it is yours)']),
    ];
  }
  return [
    `✗ ${check.url}: Tesla would refuse this domain's key:`,
    ...check.problems.map((p) => `  - ${p.message}`),
  ];
}
