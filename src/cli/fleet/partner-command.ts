import { table } from '../../core/text-table.ts';
import { loadKeyToCompare, requireSigningKey } from '../../fleet/keys.ts';
import { pairLink, requireDomain } from '../../fleet/pair-link.ts';
import { fleetStatusRows, registerPartnerDomain, verifyPartnerKey } from '../../fleet/partner.ts';
import type { Command } from '../command-table.ts';
import { defineCommand } from '../define-command.ts';
import { keySettings, resolveMap, runFleet, say, sayJson, trustedCas, usage, vinList } from './fleet-cli.ts';
import { fleetApiOf, partnerToken, settingsOf, TESLA_ACCESS_HELP } from './tesla-access.ts';

/** `gatehouse fleet partner --help`. */
const PARTNER = defineCommand({
  usage: `Usage: gatehouse fleet partner token
       gatehouse fleet partner register --domain DOMAIN [options]
       gatehouse fleet partner verify   --domain DOMAIN [options]
       gatehouse fleet partner status   --vins V1,V2 [options]`,
  about: `The application's partner account with Tesla, through a partner token (client_credentials),
cached until five minutes before it expires, in memory and in $XDG_CACHE_HOME/gatehouse/
(mode 0600). 'token' prints it; 'register' checks the hosted key first and calls Tesla only
when Tesla would accept it; 'verify' compares the key Tesla holds with the local one;
'status' shows per vehicle whether the key is paired, the firmware and the telemetry version.`,
  options: [
    {
      heading: 'Options',
      options: [
        { usage: '--domain DOMAIN', does: 'The domain that hosts the public key' },
        { usage: '--vins V1,V2', does: 'Vehicles for status', env: 'VEHICLE_IDS' },
        { usage: '--fleet-key FILE', does: 'The local key (register, verify)', env: 'TESLA_PRIVATE_KEY' },
        {
          usage: '--resolve host[:port]=addr:port',
          does: 'Connect to addr:port for host when checking (repeatable)',
          repeatable: true,
        },
        {
          usage: '--trust CA.pem',
          does: 'Trust this CA when checking the hosted key (repeatable)',
          repeatable: true,
        },
        ...TESLA_ACCESS_HELP,
      ],
      note: 'Credentials: TESLA_CLIENT_ID and TESLA_CLIENT_SECRET. Scopes: TESLA_PARTNER_SCOPES.',
    },
  ],
  allowNegative: true,
});

/** `PARTNER_HELP`. */
export const PARTNER_HELP = PARTNER.help;

async function partner(argv: string[]): Promise<number> {
  const { values, positionals } = PARTNER.parse(argv);
  const [action, extra] = positionals;
  if (values.help || !action) {
    process.stdout.write(PARTNER_HELP);
    return values.help ? 0 : 2;
  }
  if (extra !== undefined) throw usage(`unexpected argument '${extra}'`);
  const settings = settingsOf(values);
  if (action === 'token') {
    const token = await partnerToken(settings, values.cache !== false);
    if (values.json) {
      sayJson({
        access_token: token.accessToken,
        expires_at: new Date(token.expiresAtMs).toISOString(),
        audience: settings.fleetApi,
        cached: token.fromCache,
      });
    } else say(token.accessToken);
    return 0;
  }
  if (action === 'register') {
    const domain = requireDomain(values.domain);
    const localKey = loadKeyToCompare(keySettings(values['fleet-key'], process.env));
    const { account } = await registerPartnerDomain({
      api: fleetApiOf(settings, values),
      domain,
      reach: { resolve: resolveMap(values.resolve), trust: trustedCas(values.trust) },
      localKey,
    });
    if (values.json) {
      sayJson(account);
      return 0;
    }
    say(`Registered ${account.domain} with Tesla in region ${settings.region}.
  public key       ${account.public_key}
  public key hash  ${account.public_key_hash ?? '(not given)'}

Next: owners pair the virtual key at ${pairLink(domain, settings.simulator)}
('gatehouse fleet pair-link --domain ${domain}' shows it as a QR code).`);
    return 0;
  }
  if (action === 'verify') {
    const domain = requireDomain(values.domain);
    const localKey = localKeyOrRefuse(values['fleet-key']);
    const result = await verifyPartnerKey(fleetApiOf(settings, values), domain, localKey);
    if (values.json) sayJson(result);
    else say(`✓ Tesla holds the same key for ${domain} as ${localKey.source} (region ${settings.region}).`);
    return 0;
  }
  if (action === 'status') {
    const vins = vinList(values.vins, process.env);
    const status = await fleetApiOf(settings, values).fleetStatus(vins);
    if (values.json) {
      sayJson(status);
      return 0;
    }
    say(table(['VIN', 'KEY PAIRED', 'FIRMWARE', 'TELEMETRY', 'KEYS'], fleetStatusRows(status, vins)));
    if (status.unpaired_vins.length) {
      const link = values.domain
        ? pairLink(requireDomain(values.domain), settings.simulator)
        : "'gatehouse fleet pair-link --domain <your domain>'";
      say(`\nUnpaired vehicles need the virtual key: have the owner open ${link}`);
    }
    return 0;
  }
  throw usage(`unknown action '${action}'; use token, register, verify or status`);
}

/** The local key for verify (a public key alone will do); refuses when none is given. */
function localKeyOrRefuse(file: string | undefined) {
  const key = loadKeyToCompare(keySettings(file, process.env));
  return key ?? requireSigningKey(keySettings(file, process.env));
}

/** `gatehouse fleet partner`. */
export const partnerCommand: Command = {
  help: PARTNER_HELP,
  run: (argv) => runFleet(`partner ${argv[0] ?? ''}`.trim(), () => partner(argv)),
};
