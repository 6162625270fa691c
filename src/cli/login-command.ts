import QRCode from 'qrcode';
import { defineCommand } from './define-command.ts';
import { deviceLogin, discover, revokeLogin } from './device-login.ts';
import { loginProblem } from './login-problem.ts';
import { defaultConfigDir, SavedLogins } from './saved-logins.ts';

const CA_ROW = { usage: '--ca FILE', does: 'Also trust this CA (PEM) for an https server' } as const;
const HELP_ROW = { usage: '-h, --help', does: 'Show this help' } as const;

const LOGIN = defineCommand({
  usage: 'Usage: gatehouse login --server URL [options]',
  about: `Logs you in to a Gatehouse through your browser (the OAuth device flow: open the link shown,
check the code, log in with GitHub, GitLab or the server's OIDC provider) and saves the token in
$XDG_CONFIG_HOME/gatehouse/logins.json (0600). After that, 'gatehouse tunnel 3000 --server URL'
connects your own tunnel with no key; administrators' tokens also work on the admin API.`,
  options: [
    {
      heading: 'Options',
      options: [
        { usage: '--server URL', does: 'The Gatehouse to log in to (its --domain)', env: 'GATEHOUSE_SERVER' },
        CA_ROW,
        HELP_ROW,
      ],
    },
  ],
  footer: `Exit codes: 0 logged in, 2 bad usage, 3 server unreachable or not a Gatehouse with login,
4 refused or expired before it was approved.`,
});

const LOGOUT = defineCommand({
  usage: 'Usage: gatehouse logout --server URL [options]',
  about: `Forgets the login saved for the server and revokes it there: its refresh token, and the
tunnels connected with it, which go offline at once.`,
  options: [
    {
      heading: 'Options',
      options: [
        { usage: '--server URL', does: 'The Gatehouse to log out of', env: 'GATEHOUSE_SERVER' },
        CA_ROW,
        HELP_ROW,
      ],
    },
  ],
  footer: 'Exit codes: 0 logged out (or not logged in), 2 bad usage.',
});

/** `gatehouse login --help`. */
export const LOGIN_HELP = LOGIN.help;

/** `gatehouse logout --help`. */
export const LOGOUT_HELP = LOGOUT.help;

function serverOf(raw: string | undefined): URL | string {
  if (!raw || !URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol))
    return '--server (or GATEHOUSE_SERVER) must be the Gatehouse URL, e.g. https://gatehouse.example.com';
  return new URL(raw);
}

/** Runs `gatehouse login`; resolves with the exit code. */
export async function loginCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = LOGIN.parse(argv);
  if (values.help) {
    process.stdout.write(LOGIN_HELP);
    return 0;
  }
  const server = serverOf(values.server ?? env['GATEHOUSE_SERVER']);
  if (typeof server === 'string') {
    process.stderr.write(`gatehouse login: ${server}\n`);
    return 2;
  }
  let config: Awaited<ReturnType<typeof discover>>;
  try {
    config = await discover({ server, caFile: values.ca });
  } catch (error) {
    process.stderr.write(`gatehouse login: ${loginProblem(error, server, 'discovery')}\n`);
    return 3;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  try {
    const login = await deviceLogin(
      config,
      server,
      async ({ url, userCode, expiresInSeconds }) => {
        process.stdout.write(
          `To log in to ${server.origin}, open\n\n  ${url}\n\nand check that it shows the code ${userCode}.\n`,
        );
        if (process.stdout.isTTY)
          process.stdout.write(await QRCode.toString(url, { type: 'terminal', small: true }));
        process.stdout.write(
          `Waiting for you to approve (the code expires in ${Math.round(expiresInSeconds / 60)} min)…\n`,
        );
      },
      stop.signal,
    );
    const saved = new SavedLogins(defaultConfigDir(env));
    saved.put(login);
    process.stdout.write(
      `Logged in to ${server.origin} as ${login.login}; the token is in ${saved.path}.\n` +
        `Next: gatehouse tunnel 3000 --server ${server.origin}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`gatehouse login: not logged in: ${loginProblem(error, server, 'login')}\n`);
    return 4;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/** Runs `gatehouse logout`; resolves with the exit code. */
export async function logoutCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = LOGOUT.parse(argv);
  if (values.help) {
    process.stdout.write(LOGOUT_HELP);
    return 0;
  }
  const server = serverOf(values.server ?? env['GATEHOUSE_SERVER']);
  if (typeof server === 'string') {
    process.stderr.write(`gatehouse logout: ${server}\n`);
    return 2;
  }
  const saved = new SavedLogins(defaultConfigDir(env));
  const login = saved.get(server.origin);
  if (!login) {
    process.stdout.write(`Not logged in to ${server.origin}.\n`);
    return 0;
  }
  try {
    await revokeLogin(await discover({ server, caFile: values.ca }), login);
  } catch (error) {
    process.stderr.write(
      `gatehouse logout: the login could not be revoked (${loginProblem(error, server, 'login')}); it is forgotten here anyway\n`,
    );
  }
  saved.remove(server.origin);
  process.stdout.write(`Logged out of ${server.origin}.\n`);
  return 0;
}
