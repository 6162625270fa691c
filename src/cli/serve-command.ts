import { parseArgs } from 'node:util';
import { loadConfig, SETTINGS } from '../config/load-config.ts';
import { releaseMemoryWhenIdle } from '../core/idle-memory.ts';
import { bufferedStdout, createLogger } from '../core/logger.ts';
import { VERSION } from '../core/version.ts';
import { keyFingerprint } from '../fleet/key-mount.ts';
import { FLEET_PUBLIC_KEY_PATH } from '../fleet/keys.ts';
import { startGateway } from '../gateway/gateway.ts';
import { environmentName } from '../relay/environment.ts';
import { optionTable } from './help.ts';
import { explainListenError } from './listen-error.ts';

/** `gatehouse serve --help`. */
export const SERVE_HELP = `Usage: gatehouse serve [options]

Runs the Gatehouse edge: the routing proxy and, on the admin host, the admin API.
Each option can also be set by the environment variable shown, or in a --config file.

${optionTable([
  {
    heading: 'Options',
    options: [
      { usage: '--config FILE', does: 'YAML or JSON config file', env: 'GATEHOUSE_CONFIG' },
      { usage: '--port N', does: 'HTTP port (default 8080; 0 picks a free one)', env: 'GATEHOUSE_PORT' },
      { usage: '--host ADDR', does: 'Address to bind (default: all interfaces)', env: 'GATEHOUSE_HOST' },
      {
        usage: '--data DIR',
        does: 'Embedded SQLite store directory (default ./.gatehouse)',
        env: 'GATEHOUSE_DATA',
      },
      {
        usage: '--store redis://HOST:P',
        does: 'Shared Redis store instead of SQLite',
        env: 'GATEHOUSE_STORE',
      },
      {
        usage: '--domain NAME',
        does: "Gatehouse's own host name; the admin API answers on it and on localhost (default localhost)",
        env: 'GATEHOUSE_DOMAIN',
      },
      { usage: '--tls-cert FILE', does: 'Default TLS certificate (PEM)', env: 'GATEHOUSE_TLS_CERT' },
      { usage: '--tls-key FILE', does: 'Its private key (PEM)', env: 'GATEHOUSE_TLS_KEY' },
      { usage: '--tls-port N', does: 'HTTPS port when TLS is configured (8443)', env: 'GATEHOUSE_TLS_PORT' },
      {
        usage: '--trust-proxy',
        does: 'Append to incoming X-Forwarded-* instead of replacing them (only behind another proxy)',
        env: 'GATEHOUSE_TRUST_PROXY',
      },
      {
        usage: '--shutdown-timeout MS',
        does: 'How long to drain requests on SIGTERM (default 10000)',
        env: 'GATEHOUSE_SHUTDOWN_TIMEOUT_MS',
      },
      {
        usage: '--max-header-size BYTES',
        does: 'Largest request head accepted (16384)',
        env: 'GATEHOUSE_MAX_HEADER_SIZE',
      },
      {
        usage: '--log-level LEVEL',
        does: 'fatal|error|warn|info|debug|trace|silent',
        env: 'GATEHOUSE_LOG_LEVEL',
      },
      { usage: '-h, --help', does: 'Show this help' },
    ],
  },
  {
    heading: 'Callback relay (on routes with "relay" settings; see README)',
    options: [
      {
        usage: '--relay',
        does: 'Turn the relay on. It runs only where GATEHOUSE_ENV (or ENV) is dev, lcl or inf. Also DEV_PROXY_ENABLED',
        env: 'GATEHOUSE_RELAY',
      },
      {
        usage: '--relay-max-ttl SECONDS',
        does: 'Longest registration (14400). Also DEV_PROXY_MAX_TTL',
        env: 'GATEHOUSE_RELAY_MAX_TTL',
      },
    ],
    note: 'The shared HMAC secret comes only from GATEHOUSE_RELAY_SECRET (or DEV_PROXY_SHARED_SECRET).',
  },
  {
    heading: 'Tesla login (fleet-login routes; see README)',
    options: [],
    note: 'Environment only: GATEHOUSE_SECRET_KEY seals stored tokens (64 hex digits, base64 of 32 bytes,\nor a passphrase of 16+ characters; SQLite makes secret.key on first use, Redis needs it set).\nThe application: TESLA_CLIENT_ID, TESLA_CLIENT_SECRET, TESLA_REGION, TESLA_REDIRECT_URI,\nTESLA_OAUTH_SCOPES, or TESLA_SIMULATOR for gatehouse fleet simulate.',
  },
  {
    heading: 'Live dashboard (/fleet/dashboard on the admin hosts; see README)',
    options: [],
    note: 'Environment only: DASHBOARD_TOKEN (or GATEHOUSE_DASHBOARD_TOKEN), 16+ characters: open the page\nwith ?token= set to it, or to an HS256 JWT signed with it whose vins claim lists the VINs it may see.',
  },
  {
    heading: 'Authorization server (OAuth 2.1 on the auth host; see README)',
    options: [
      {
        usage: '--auth-host NAME',
        does: 'Host of the authorization server and login pages (default: the --domain host)',
        env: 'GATEHOUSE_AUTH_HOST',
      },
      {
        usage: '--admin-users LIST',
        does: 'Who gets the admin scope: github:alice,gitlab:bob',
        env: 'GATEHOUSE_ADMIN_USERS',
      },
      {
        usage: '--tunnel-users LIST',
        does: 'Who may log in here for tunnels of their own, as a route allows people: github-org:acme,… (*)',
        env: 'GATEHOUSE_TUNNEL_USERS',
      },
      {
        usage: '--access-token-minutes N',
        does: 'Lifetime of access tokens (30)',
        env: 'GATEHOUSE_ACCESS_TOKEN_MINUTES',
      },
      {
        usage: '--refresh-token-days N',
        does: 'Lifetime of a login through refresh tokens (365)',
        env: 'GATEHOUSE_REFRESH_TOKEN_DAYS',
      },
    ],
  },
  {
    heading: 'Tunnels (<name>.<domain>)',
    options: [
      {
        usage: '--tunnel-offline-wait MS',
        does: 'Hold requests for an offline tunnel this long before answering 503 (default 2000)',
        env: 'GATEHOUSE_TUNNEL_OFFLINE_WAIT_MS',
      },
      {
        usage: '--tunnel-max-streams N',
        does: 'Requests in flight per tunnel (256)',
        env: 'GATEHOUSE_TUNNEL_MAX_STREAMS',
      },
      {
        usage: '--tunnel-max-body BYTES',
        does: 'Largest request body, 0 = no limit (0)',
        env: 'GATEHOUSE_TUNNEL_MAX_BODY',
      },
      {
        usage: '--tunnel-response-timeout MS',
        does: 'Wait for the local server (300000)',
        env: 'GATEHOUSE_TUNNEL_RESPONSE_TIMEOUT_MS',
      },
      {
        usage: '--tunnel-heartbeat MS',
        does: 'Ping interval; two missed = dead (15000)',
        env: 'GATEHOUSE_TUNNEL_HEARTBEAT_MS',
      },
      {
        usage: '--tunnel-max-per-key N',
        does: 'Tunnels one admin key may own (100)',
        env: 'GATEHOUSE_TUNNEL_MAX_PER_KEY',
      },
      {
        usage: '--tunnels-per-user N',
        does: 'Tunnels a person who logs in may make for themselves; admins: --tunnel-max-per-key (1)',
        env: 'GATEHOUSE_TUNNELS_PER_USER',
      },
    ],
  },
  {
    heading: 'Login through GitHub, GitLab or OIDC (secrets from the environment or --config only)',
    options: [
      {
        usage: '--github-client-id ID',
        does: 'GitHub OAuth app; its secret in GITHUB_CLIENT_SECRET',
        env: 'GITHUB_CLIENT_ID',
      },
      {
        usage: '--github-url URL',
        does: 'GitHub Enterprise: https://HOST (API then at https://HOST/api/v3)',
        env: 'GITHUB_URL',
      },
      {
        usage: '--github-api-url URL',
        does: 'GitHub API base, when not the default for --github-url',
        env: 'GITHUB_API_URL',
      },
      {
        usage: '--gitlab-client-id ID',
        does: 'GitLab application; its secret in GITLAB_CLIENT_SECRET',
        env: 'GITLAB_CLIENT_ID',
      },
      { usage: '--gitlab-url URL', does: 'Self-hosted GitLab (https://gitlab.com)', env: 'GITLAB_URL' },
      { usage: '--oidc-issuer URL', does: 'Any OpenID Connect issuer', env: 'GATEHOUSE_OIDC_ISSUER' },
      {
        usage: '--oidc-client-id ID',
        does: "The issuer's client; its secret in GATEHOUSE_OIDC_CLIENT_SECRET",
        env: 'GATEHOUSE_OIDC_CLIENT_ID',
      },
    ],
  },
  {
    heading: 'Tesla Fleet kit (see README)',
    options: [
      {
        usage: '--fleet-key FILE',
        does: "The application's P-256 private key; its public half is served at Tesla's well-known path. Also TESLA_PRIVATE_KEY (a path or the PEM), or PUBLIC_KEY_PATH for a public key alone",
        env: 'GATEHOUSE_FLEET_KEY',
      },
      {
        usage: '--fleet-domain HOSTS',
        does: 'Hosts that serve the public key, comma-separated (default: the admin hosts)',
        env: 'GATEHOUSE_FLEET_DOMAIN',
      },
    ],
  },
  {
    heading: 'Fleet Telemetry receiver (vehicles stream here over mTLS; see README)',
    options: [
      {
        usage: '--telemetry-port N',
        does: "Port of the vehicles' WebSocket listener; off unless given",
        env: 'GATEHOUSE_TELEMETRY_PORT',
      },
      {
        usage: '--telemetry-host ADDR',
        does: 'Address it binds (default: all interfaces). Also TELEMETRY_HOST',
        env: 'GATEHOUSE_TELEMETRY_HOST',
      },
      {
        usage: '--telemetry-cert FILE',
        does: "The server's certificate chain (PEM). Also TLS_CERT_PATH",
        env: 'GATEHOUSE_TELEMETRY_CERT',
      },
      {
        usage: '--telemetry-key FILE',
        does: 'Its private key (PEM). Also TLS_KEY_PATH',
        env: 'GATEHOUSE_TELEMETRY_KEY',
      },
      {
        usage: '--telemetry-ca FILE',
        does: "CAs vehicle certificates must chain to (Tesla's, or the simulator's). Also TLS_CA_PATH",
        env: 'GATEHOUSE_TELEMETRY_CA',
      },
    ],
    note: 'Sinks per record type, reliable ack, rate limit and history go in the config file:\n  telemetry: { records: { V: [store, redis] }, reliableAck: { V: redis },\n              rateLimit: { messages: 1000, intervalSeconds: 30 }, history: { perVin: 120 } }',
  },
])}
The admin API key comes from GATEHOUSE_ADMIN_KEY. Without it, the first start creates a key
and prints it once; only its hash is stored.

Per-host certificates for SNI go in the config file:
  tls:
    certificates:
      - { hosts: ["*.example.com"], cert: /etc/gh/wild.pem, key: /etc/gh/wild.key }
`;

/** Runs `gatehouse serve` until SIGTERM or SIGINT; resolves with the exit code. */
export async function serveCommand(argv: string[]): Promise<number> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const s of SETTINGS) if (s.flag) options[s.flag] = { type: s.boolean ? 'boolean' : 'string' };
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  if (values['help']) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }

  const config = loadConfig({
    flags: values as Record<string, string | boolean | undefined>,
    env: process.env,
  });
  const logOutput = bufferedStdout();
  const logger = createLogger(config.logLevel, logOutput);
  const gateway = await startGateway({
    config,
    logger,
    adminKey: process.env['GATEHOUSE_ADMIN_KEY'] || undefined,
    environment: environmentName(process.env),
    env: process.env,
  }).catch((error: unknown) => {
    throw explainListenError(error, config);
  });

  // Listening for the stop signal before the banner says Gatehouse is up: whoever reads the banner
  // may send it at once, and without a handler it would kill the process instead of stopping it.
  const signalled = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  const local = `http://localhost:${gateway.httpPort}`;
  const lines = [
    `Gatehouse ${VERSION} is running (store: ${gateway.store.kind === 'sqlite' ? `SQLite in ${config.data}` : 'Redis'})`,
    `  proxy      http://*:${gateway.httpPort}${gateway.httpsPort ? `  https://*:${gateway.httpsPort}` : ''}`,
    `  admin API  ${local}/api/v1/   (also on host ${config.domain})`,
    `  OpenAPI    ${local}/api/v1/openapi.json`,
    `  health     ${local}/healthz  ${local}/readyz  ${local}/metrics`,
  ];
  if (gateway.fleetKey) {
    const hosts =
      config.fleet.domains.length > 0
        ? config.fleet.domains.join(', ')
        : [...new Set([config.domain, 'localhost'])].join(' and ');
    lines.push(
      `  fleet key  ${local}${FLEET_PUBLIC_KEY_PATH}`,
      `             on ${hosts}; key ${keyFingerprint(gateway.fleetKey)} from ${gateway.fleetKey.source}`,
    );
  }
  if (gateway.telemetry) {
    lines.push(
      `  telemetry  wss://*:${gateway.telemetry.port}   (vehicles, mTLS: a certificate from --telemetry-ca)`,
      `  dashboard  ${local}/fleet/dashboard${config.dashboardToken ? '' : '   (set DASHBOARD_TOKEN to open it)'}`,
    );
  }
  if (gateway.bootstrapKey) {
    lines.push(
      '',
      '  A new admin API key was created. It is shown this once; store it now:',
      `    ${gateway.bootstrapKey}`,
      `  e.g. export GATEHOUSE_ADMIN_KEY=${gateway.bootstrapKey}`,
      '  Lost it later? Start with GATEHOUSE_ADMIN_KEY set to a key you choose, then revoke this one',
      '  (README: "Lost the printed key?").',
    );
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  logger.info({ port: gateway.httpPort, tlsPort: gateway.httpsPort, store: gateway.store.kind }, 'listening');
  const stopReleasingMemory = releaseMemoryWhenIdle();

  await signalled;
  stopReleasingMemory();
  await gateway.stop();
  logger.info('stopped');
  logOutput.flushSync();
  return 0;
}
