import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { GatehouseError } from '../core/errors.ts';
import { table } from '../core/text-table.ts';
import { type DevIdp, isLoopbackAddress, startDevIdp } from '../dev-idp/dev-idp.ts';
import { isLoopbackRedirect } from '../dev-idp/issuer-config.ts';
import { STAND_IN_WARNING } from '../dev-idp/pages.ts';
import { DEFAULT_PEOPLE, type Person, parsePeople, peopleBySub } from '../dev-idp/people.ts';
import { defineCommand } from './define-command.ts';
import { untilStopSignal } from './stop-signal.ts';

/** Where Gatehouse, as `npm start` runs it, sends people back from an OIDC login. */
const DEFAULT_REDIRECT_URI = 'http://localhost:8080/login/callback/oidc';

/** `gatehouse dev-idp`: its help and the parser of its options. */
const DEV_IDP = defineCommand({
  usage: 'Usage: gatehouse dev-idp [options]',
  about: `Runs a stand-in OpenID Connect issuer for development (oidc-provider underneath): its login page
lists a few test people and logs you in as the one you pick, with no password, so per-route auth,
the /tunnels pages and 'gatehouse login' can be tried and tested with no provider account. At
start it prints the environment to give 'gatehouse serve' and the people. Since it logs in anyone
who reaches it as anyone, it listens on loopback only. Runs until Ctrl-C or SIGTERM.`,
  options: [
    {
      heading: 'Options',
      options: [
        { usage: '--port N', does: 'Port to listen on (default 4500; 0 takes a free one)' },
        { usage: '--host ADDR', does: 'Loopback address to listen on (default 127.0.0.1)' },
        {
          usage: '--allow-remote',
          does: 'Let --host be an address beyond loopback: anyone who reaches it can log in as anyone',
        },
        { usage: '--issuer URL', does: 'The URL clients reach it at, when not http://HOST:PORT' },
        {
          usage: '--people FILE',
          does: 'The test people (YAML or JSON, shape below); three built-in ones without it',
        },
        {
          usage: '--redirect-uri URL',
          does: `Where it may send people back (repeatable; default ${DEFAULT_REDIRECT_URI}); any port for http on localhost, 127.0.0.1 or [::1]`,
          repeatable: true,
        },
        {
          usage: '--data DIR',
          does: 'Keeps its signing key and logins across runs (default ./.gatehouse/dev-idp)',
        },
        { usage: '-h, --help', does: 'Show this help' },
      ],
    },
  ],
  footer: `Its one client is 'gatehouse', secret 'dev-idp-secret'. Gatehouse names each person oidc:<sub>.
A --people file:
  people:
    - sub: u-dana                # required: the stable id, as in oidc:u-dana
      preferred_username: dana   # required
      name: Dana Example
      email: dana@example.com
      email_verified: true       # true unless said otherwise
      groups: [staff]            # the groups claim (with the profile scope): claim:groups=staff`,
});

/** `gatehouse dev-idp --help`. */
export const DEV_IDP_HELP = DEV_IDP.help;

/** What to give `gatehouse serve`, one `export` line each, as the banner prints them. */
export function serveEnvironment(idp: Pick<DevIdp, 'url' | 'clientId' | 'clientSecret'>): string[] {
  return [
    `export GATEHOUSE_OIDC_ISSUER=${idp.url}`,
    `export GATEHOUSE_OIDC_CLIENT_ID=${idp.clientId}`,
    `export GATEHOUSE_OIDC_CLIENT_SECRET=${idp.clientSecret}`,
    `export GATEHOUSE_OIDC_LABEL='Stand-in login'`,
  ];
}

/** What a newcomer needs at start, for stderr: what this is, Gatehouse's settings, the people. */
export function devIdpBanner(idp: DevIdp, people: readonly Person[]): string {
  const anyPort = idp.redirectUris.every(isLoopbackRedirect) ? ' (any port)' : '';
  const rows = people.map((p) => [
    p.sub,
    p.preferred_username,
    p.name ?? '',
    p.email ? `${p.email}${p.email_verified ? '' : ' (not verified)'}` : '',
    p.groups.join(','),
  ]);
  return [
    `Stand-in OpenID Connect issuer at ${idp.url}`,
    `WARNING: ${STAND_IN_WARNING}`,
    '',
    'Give gatehouse serve this environment:',
    ...serveEnvironment(idp).map((line) => `  ${line}`),
    `It sends people back only to ${idp.redirectUris.join(', ')}${anyPort}.`,
    '',
    'People (Gatehouse names them oidc:<sub>):',
    ...table(['sub', 'user', 'name', 'email', 'groups'], rows)
      .split('\n')
      .map((line) => `  ${line}`),
    '',
  ].join('\n');
}

function readPeople(file: string): Person[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new GatehouseError(
      'DEV_IDP_PEOPLE_INVALID',
      `--people ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the path`,
      { cause: error },
    );
  }
  return parsePeople(text, `--people ${file}`);
}

function optionError(message: string): GatehouseError {
  return new GatehouseError('DEV_IDP_OPTION_INVALID', `${message}; see 'gatehouse dev-idp --help'`);
}

/** Runs `gatehouse dev-idp`; resolves with the exit code. */
export async function devIdpCommand(argv: string[]): Promise<number> {
  const { values, positionals } = DEV_IDP.parse(argv);
  if (values.help) {
    process.stdout.write(DEV_IDP_HELP);
    return 0;
  }
  if (positionals.length > 0)
    throw optionError(`unexpected argument '${positionals[0]}': gatehouse dev-idp takes only options`);
  const port = Number(values.port ?? 4500);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw optionError(`--port ${values.port}: give a port number from 0 to 65535`);
  const redirectUris = values['redirect-uri'] ?? [DEFAULT_REDIRECT_URI];
  for (const uri of redirectUris)
    if (!/^https?:$/.test(URL.parse(uri)?.protocol ?? ''))
      throw optionError(`--redirect-uri ${uri}: give an http or https URL`);
  if (values.issuer !== undefined && !/^https?:$/.test(URL.parse(values.issuer)?.protocol ?? ''))
    throw optionError(`--issuer ${values.issuer}: give an http or https URL`);
  const people = values.people ? readPeople(values.people) : [...DEFAULT_PEOPLE];
  const host = values.host ?? '127.0.0.1';
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const idp = await startDevIdp({
    host,
    port,
    allowRemote: values['allow-remote'],
    issuer: values.issuer,
    people: peopleBySub(people),
    redirectUris,
    dataDir: resolvePath(values.data ?? '.gatehouse/dev-idp'),
    onLogin: (person, client) => say(`Logged in ${person.sub} (${person.preferred_username}) for ${client}.`),
    onError: (error) => say(`gatehouse dev-idp: ${(error as Error).stack ?? String(error)}`),
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw optionError(`cannot listen on ${host}:${port} (${code}): pick another --port or --host`);
    throw error;
  });
  const signalled = untilStopSignal();
  process.stderr.write(devIdpBanner(idp, people));
  if (values['allow-remote'] && !isLoopbackAddress(host) && host !== 'localhost')
    say(`\nWARNING: listening on ${host}, beyond this machine (--allow-remote): ${STAND_IN_WARNING}\n`);
  await signalled;
  await idp.stop();
  return 0;
}
