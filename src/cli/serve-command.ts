import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.ts';
import { CONFIG_FILE, SETTINGS } from '../config/settings.ts';
import { releaseMemoryWhenIdle } from '../core/idle-memory.ts';
import { bufferedStdout, createLogger } from '../core/logger.ts';
import { VERSION } from '../core/version.ts';
import { keyFingerprint } from '../fleet/key-mount.ts';
import { FLEET_PUBLIC_KEY_PATH } from '../fleet/keys.ts';
import { startGateway } from '../gateway/gateway.ts';
import { explainListenError } from './listen-error.ts';
import { serveHelp } from './serve-help.ts';

/** `gatehouse serve --help`. */
export const SERVE_HELP = serveHelp();

/** Runs `gatehouse serve` until SIGTERM or SIGINT; resolves with the exit code. */
export async function serveCommand(argv: string[]): Promise<number> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    [CONFIG_FILE.flag]: { type: 'string' },
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
    adminKey: config.adminKey,
    environment: config.environment,
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
