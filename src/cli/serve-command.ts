import { parseArgs } from 'node:util';
import { loadConfig, SETTINGS } from '../config/load-config.ts';
import { releaseMemoryWhenIdle } from '../observability/idle-memory.ts';
import { bufferedStdout, createLogger } from '../observability/logger.ts';
import { environmentName } from '../relay/environment.ts';
import { startGateway } from '../server/gateway.ts';
import { VERSION } from '../version.ts';
import { explainListenError } from './listen-error.ts';

/** `gatehouse serve --help`. */
export const SERVE_HELP = `Usage: gatehouse serve [options]

Runs the Gatehouse edge: the routing proxy and, on the admin host, the admin API.

Options (each also settable by the environment variable shown, or in a --config file):
  --config FILE            YAML or JSON config file                    GATEHOUSE_CONFIG
  --port N                 HTTP port (default 8080; 0 picks a free one) GATEHOUSE_PORT
  --host ADDR              Address to bind (default: all interfaces)   GATEHOUSE_HOST
  --data DIR               Embedded SQLite store directory             GATEHOUSE_DATA
                           (default ./.gatehouse)
  --store redis://HOST:P   Shared Redis store instead of SQLite        GATEHOUSE_STORE
  --domain NAME            Gatehouse's own host name; the admin API    GATEHOUSE_DOMAIN
                           answers on it and on localhost (default localhost)
  --tls-cert FILE          Default TLS certificate (PEM)               GATEHOUSE_TLS_CERT
  --tls-key FILE           Its private key (PEM)                       GATEHOUSE_TLS_KEY
  --tls-port N             HTTPS port when TLS is configured (8443)    GATEHOUSE_TLS_PORT
  --trust-proxy            Append to incoming X-Forwarded-* instead of GATEHOUSE_TRUST_PROXY
                           replacing them (only behind another proxy)
  --shutdown-timeout MS    How long to drain requests on SIGTERM       GATEHOUSE_SHUTDOWN_TIMEOUT_MS
                           (default 10000)
  --max-header-size BYTES  Largest request head accepted (16384)       GATEHOUSE_MAX_HEADER_SIZE
  --log-level LEVEL        fatal|error|warn|info|debug|trace|silent    GATEHOUSE_LOG_LEVEL

Callback relay (on routes with "relay" settings; see README):
  --relay                   Turn the relay on. It runs only where     GATEHOUSE_RELAY (DEV_PROXY_ENABLED)
                            GATEHOUSE_ENV (or ENV) is dev, lcl or inf
  --relay-max-ttl SECONDS   Longest registration (14400)              GATEHOUSE_RELAY_MAX_TTL (DEV_PROXY_MAX_TTL)
  The shared HMAC secret comes only from GATEHOUSE_RELAY_SECRET (or DEV_PROXY_SHARED_SECRET).

Tunnels (<name>.<domain>):
  --tunnel-offline-wait MS  Hold requests for an offline tunnel this    GATEHOUSE_TUNNEL_OFFLINE_WAIT_MS
                            long before answering 503 (default 2000)
  --tunnel-max-streams N    Requests in flight per tunnel (256)        GATEHOUSE_TUNNEL_MAX_STREAMS
  --tunnel-max-body BYTES   Largest request body, 0 = no limit (0)     GATEHOUSE_TUNNEL_MAX_BODY
  --tunnel-response-timeout MS  Wait for the local server (300000)     GATEHOUSE_TUNNEL_RESPONSE_TIMEOUT_MS
  --tunnel-heartbeat MS     Ping interval; two missed = dead (15000)   GATEHOUSE_TUNNEL_HEARTBEAT_MS
  --tunnel-max-per-key N    Tunnels one admin key may own (100)        GATEHOUSE_TUNNEL_MAX_PER_KEY
  -h, --help               Show this help

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
  }).catch((error: unknown) => {
    throw explainListenError(error, config);
  });

  const local = `http://localhost:${gateway.httpPort}`;
  const lines = [
    `Gatehouse ${VERSION} is running (store: ${gateway.store.kind === 'sqlite' ? `SQLite in ${config.data}` : 'Redis'})`,
    `  proxy      http://*:${gateway.httpPort}${gateway.httpsPort ? `  https://*:${gateway.httpsPort}` : ''}`,
    `  admin API  ${local}/api/v1/   (also on host ${config.domain})`,
    `  OpenAPI    ${local}/api/v1/openapi.json`,
    `  health     ${local}/healthz  ${local}/readyz  ${local}/metrics`,
  ];
  if (gateway.bootstrapKey) {
    lines.push(
      '',
      '  A new admin API key was created. It is shown this once; store it now:',
      `    ${gateway.bootstrapKey}`,
      `  e.g. export GATEHOUSE_ADMIN_KEY=${gateway.bootstrapKey}`,
    );
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  logger.info({ port: gateway.httpPort, tlsPort: gateway.httpsPort, store: gateway.store.kind }, 'listening');
  const stopReleasingMemory = releaseMemoryWhenIdle();

  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  stopReleasingMemory();
  await gateway.stop();
  logger.info('stopped');
  logOutput.flushSync();
  return 0;
}
