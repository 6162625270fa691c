import { parseArgs } from 'node:util';
import { pairLink, requireDomain, terminalQr } from '../../fleet/pair-link.ts';
import type { Command } from '../command-table.ts';
import { optionTable } from '../help.ts';
import { runFleet, say, sayJson, usage } from './fleet-cli.ts';
import { settingsOf } from './tesla-access.ts';

/** `gatehouse fleet pair-link --help`. */
export const PAIR_LINK_HELP = `Usage: gatehouse fleet pair-link --domain DOMAIN [options]

The virtual-key pairing link, https://tesla.com/_ak/DOMAIN: an owner opens it on the phone
with the Tesla app and adds the application's key to the vehicle. Printed with a QR code to
scan when stdout is a terminal.

${optionTable([
  {
    heading: 'Options',
    options: [
      { usage: '--domain DOMAIN', does: 'The domain registered with Tesla' },
      { usage: '--simulator URL', does: "The simulator's pairing page instead", env: 'TESLA_SIMULATOR' },
      { usage: '--no-qr', does: 'Print the link alone' },
      { usage: '--json', does: 'Print {"url": …}' },
      { usage: '-h, --help', does: 'Show this help' },
    ],
  },
])}`;

async function pairLinkRun(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    allowNegative: true,
    options: {
      domain: { type: 'string' },
      simulator: { type: 'string' },
      qr: { type: 'boolean', default: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(PAIR_LINK_HELP);
    return 0;
  }
  if (positionals.length) throw usage(`unexpected argument '${positionals[0]}'`);
  const url = pairLink(requireDomain(values.domain), settingsOf(values).simulator);
  if (values.json) sayJson({ url });
  else if (values.qr && process.stdout.isTTY) say(`${await terminalQr(url)}\n${url}`);
  else say(url);
  return 0;
}

/** `gatehouse fleet pair-link`. */
export const pairLinkCommand: Command = {
  help: PAIR_LINK_HELP,
  run: (argv) => runFleet('pair-link', () => pairLinkRun(argv)),
};
