import { resolve } from 'node:path';
import { checkHostedKey } from '../../fleet/hosted-key.ts';
import { describeHostedKeyCheck } from '../../fleet/hosted-key-report.ts';
import { generateFleetKeyFiles, loadKeyToCompare } from '../../fleet/keys.ts';
import { requireDomain } from '../../fleet/pair-link.ts';
import type { Command } from '../command-table.ts';
import { defineCommand } from '../define-command.ts';
import { keySettings, resolveMap, runFleet, say, sayJson, trustedCas, usage } from './fleet-cli.ts';

/** `gatehouse fleet keys`: its help and the parser of its options. */
const KEYS = defineCommand({
  usage: `Usage: gatehouse fleet keys generate [--out DIR]
       gatehouse fleet keys check --domain DOMAIN [options]`,
  about: `The application's command key. 'generate' makes a new EC prime256v1 pair: private-key.pem
(mode 0600) and public-key.pem; it never overwrites a key, since a new key unpairs every
vehicle. 'check' fetches https://DOMAIN/.well-known/appspecific/com.tesla.3p.public-key.pem as
Tesla does and names everything Tesla would object to; it exits 1 when there is anything.`,
  options: [
    {
      heading: 'Options',
      options: [
        { usage: '--out DIR', does: 'Where generate writes the pair (default: the current directory)' },
        { usage: '--domain DOMAIN', does: 'The domain that hosts the public key (check)' },
        {
          usage: '--fleet-key FILE',
          does: 'The local key the hosted one must equal',
          env: 'TESLA_PRIVATE_KEY',
        },
        {
          usage: '--resolve host[:port]=addr:port',
          does: 'Connect to addr:port for host (repeatable; for local servers)',
          repeatable: true,
        },
        {
          usage: '--trust CA.pem',
          does: 'Trust this CA besides the system ones (repeatable)',
          repeatable: true,
        },
        { usage: '--json', does: 'Print the outcome as JSON' },
        { usage: '-h, --help', does: 'Show this help' },
      ],
      note: 'A public key alone (PUBLIC_KEY_PATH) is enough for check.',
    },
  ],
});

/** `gatehouse fleet keys --help`. */
export const KEYS_HELP = KEYS.help;

async function keys(argv: string[]): Promise<number> {
  const { values, positionals } = KEYS.parse(argv);
  const [action, extra] = positionals;
  if (values.help || !action) {
    process.stdout.write(KEYS_HELP);
    return values.help ? 0 : 2;
  }
  if (extra !== undefined) throw usage(`unexpected argument '${extra}'`);
  if (action === 'generate') {
    const files = generateFleetKeyFiles(resolve(values.out ?? '.'));
    if (values.json) {
      sayJson({ privateKeyPath: files.privateKeyPath, publicKeyPath: files.publicKeyPath });
      return 0;
    }
    say(`Wrote ${files.privateKeyPath} (private, mode 0600: keep it secret, never commit it)
  and ${files.publicKeyPath} (public).

Next: host the public key on your domain, where Tesla fetches it:
  gatehouse serve --fleet-key ${files.privateKeyPath}
serves it at https://<your domain>/.well-known/appspecific/com.tesla.3p.public-key.pem.
Then check it with 'gatehouse fleet keys check --domain <your domain> --fleet-key ${files.privateKeyPath}'.`);
    return 0;
  }
  if (action === 'check') {
    const domain = requireDomain(values.domain);
    const local = loadKeyToCompare(keySettings(values['fleet-key'], process.env));
    const check = await checkHostedKey(
      domain,
      { resolve: resolveMap(values.resolve), trust: trustedCas(values.trust) },
      local,
    );
    if (values.json) sayJson({ url: check.url, ok: check.problems.length === 0, problems: check.problems });
    else say(describeHostedKeyCheck(check, local).join('\n'));
    return check.problems.length === 0 ? 0 : 1;
  }
  throw usage(`unknown action '${action}'; use generate or check`);
}

/** `gatehouse fleet keys`. */
export const keysCommand: Command = {
  help: KEYS_HELP,
  run: (argv) => runFleet(`keys ${argv[0] ?? ''}`.trim(), () => keys(argv)),
};
