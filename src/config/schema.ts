import { z } from 'zod';
import { LOG_LEVELS } from '../core/logger.ts';
import { secretKeyProblem } from '../core/secret-key.ts';
import { hostPattern } from '../routes/route.ts';
import { acmeConfig, acmeEnabled } from './acme-schema.ts';
import { authConfig } from './auth-schema.ts';
import { loginConfig } from './login-schema.ts';
import { telemetryConfig } from './telemetry-schema.ts';
import { teslaConfig } from './tesla-schema.ts';

const port = z.coerce.number().int().min(0).max(65535);

/**
 * A switch: true or false, or their spellings in a file (`"yes"`, `"off"`…). Not a coercion,
 * which would read the string "false" as true.
 */
const onOff = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  return value;
}, z.boolean());

const AGE_UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An age like `30m`, `12h` or `7d`, as ms (a plain number is ms too). */
const age = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const match = /^(\d+)\s*([smhd])?$/.exec(value.trim());
    return match ? Number(match[1]) * (match[2] ? AGE_UNITS[match[2]]! : 1) : value;
  },
  z.number({ error: 'must be an age like 30m, 12h or 7d' }).int().min(60_000, 'must be at least 1m'),
);

/** A certificate and key (PEM files) served for some host names by SNI. */
const certificate = z
  .object({
    hosts: z.array(hostPattern).min(1, 'must name at least one host'),
    cert: z.string().min(1),
    key: z.string().min(1),
  })
  .strict();

/** TLS of one listener: its certificates by SNI, and whether clients must present certificates. */
const listenerTls = z
  .object({
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    certificates: z.array(certificate).default([]),
    /** `request` asks for a client certificate, `require` refuses the handshake without a valid one. */
    clientCertificates: z.enum(['none', 'request', 'require']).default('none'),
    /** PEM bundle of the CAs client certificates must chain to. */
    ca: z.string().min(1).optional(),
  })
  .strict()
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'cert and key must be given together',
  })
  .refine((t) => t.clientCertificates === 'none' || t.ca !== undefined, {
    message: 'clientCertificates needs ca: the CA bundle client certificates must chain to',
    path: ['ca'],
  });

/** One listening socket. Without `tls` it speaks plain HTTP; with it, HTTPS (even before a certificate exists). */
const listener = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be a short lower-case name such as https'),
    port,
    host: z.string().min(1).optional(),
    tls: listenerTls.optional(),
  })
  .strict();

/** A listener as the gateway starts it. */
export type ListenerConfig = z.infer<typeof listener>;

/** The whole `gatehouse serve` configuration, after merging defaults, file, environment and flags. */
export const serveConfig = z
  .object({
    port: port.default(8080),
    host: z.string().min(1).optional(),
    data: z.string().min(1).default('./.gatehouse'),
    store: z
      .string()
      .refine((s) => /^rediss?:\/\//.test(s) && URL.canParse(s), {
        message: 'must be a redis:// or rediss:// URL',
      })
      .optional(),
    domain: hostPattern
      .refine((d) => !d.includes('*'), { message: 'must be a plain host name' })
      .default('localhost'),
    tls: z
      .object({
        port: port.default(8443),
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
        certificates: z.array(certificate).default([]),
      })
      .strict()
      .refine((t) => (t.cert === undefined) === (t.key === undefined), {
        message: 'cert and key must be given together',
      })
      .default({ port: 8443, certificates: [] }),
    /** Replaces `port`, `host` and `tls` when given (config file only). */
    listeners: z
      .array(listener)
      .min(1, 'must name at least one listener')
      .refine((ls) => new Set(ls.map((l) => l.name)).size === ls.length, { message: 'names must be unique' })
      .optional(),
    trustProxy: onOff.default(false),
    tunnels: z
      .object({
        heartbeatMs: z.coerce.number().int().min(100).max(600_000).default(15_000),
        offlineWaitMs: z.coerce.number().int().min(0).max(60_000).default(2_000),
        maxConcurrentStreams: z.coerce.number().int().min(1).max(10_000).default(256),
        maxBodyBytes: z.coerce.number().int().min(0).default(0),
        responseTimeoutMs: z.coerce.number().int().min(100).max(86_400_000).default(300_000),
        maxPerOwner: z.coerce.number().int().min(1).max(100_000).default(100),
        /** Tunnels a person who logs in may own; administrators are held to maxPerOwner. */
        perUser: z.coerce.number().int().min(0).max(100_000).default(1),
        /** `host:port` the other nodes reach this one at, for tunnels held here (shared store only). */
        nodeAddress: z
          .string()
          .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 10.0.0.5:8080')
          .optional(),
      })
      .strict()
      .default({
        heartbeatMs: 15_000,
        offlineWaitMs: 2_000,
        maxConcurrentStreams: 256,
        maxBodyBytes: 0,
        responseTimeoutMs: 300_000,
        maxPerOwner: 100,
        perUser: 1,
      }),
    relay: z
      .object({
        enabled: onOff.default(false),
        environments: z.array(z.string().min(1).toLowerCase()).min(1).default(['dev', 'lcl', 'inf']),
        secret: z.string().min(16, 'must be at least 16 characters').optional(),
        maxTtlSeconds: z.coerce
          .number()
          .int()
          .min(60)
          .max(7 * 86_400)
          .default(14_400),
      })
      .strict()
      .default({ enabled: false, environments: ['dev', 'lcl', 'inf'], maxTtlSeconds: 14_400 }),
    fleet: z
      .object({
        /** `--fleet-key`: the application's private key file. */
        key: z.string().min(1).optional(),
        /** `TESLA_PRIVATE_KEY`: a path or the PEM itself. */
        privateKey: z.string().min(1).optional(),
        /** `PUBLIC_KEY_PATH`: a public key alone, enough to host it. */
        publicKeyPath: z.string().min(1).optional(),
        /** Hosts that serve the public key; the admin hosts when empty. */
        domains: z
          .preprocess(
            (v) =>
              typeof v === 'string'
                ? v
                    .split(',')
                    .map((d) => d.trim())
                    .filter(Boolean)
                : v,
            z.array(hostPattern.refine((d) => !d.includes('*'), { message: 'must be a plain host name' })),
          )
          .default([]),
      })
      .strict()
      .default({ domains: [] }),
    /** The Tesla application `fleet-login` routes log users in to. */
    tesla: teslaConfig.default(teslaConfig.parse({})),
    /** The Fleet Telemetry receiver; off unless `telemetry.port` is set. */
    telemetry: telemetryConfig.default(telemetryConfig.parse({})),
    /** Automatic certificates by ACME; off unless a directory or an email is given. */
    acme: acmeConfig.default(acmeConfig.parse({})),
    /** Upstream login providers (GitHub, GitLab, an OIDC issuer) for every protected route. */
    login: loginConfig,
    /** The authorization server: `--auth-host`, `--admin-users`, token lifetimes. */
    auth: authConfig.default(authConfig.parse({})),
    /** Seals stored secrets (Tesla tokens); 32 bytes as hex or base64, or a long passphrase. */
    secretKey: z
      .string()
      .superRefine((value, ctx) => {
        const problem = secretKeyProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /** The admin API key; without it the first start makes one and prints it once. */
    adminKey: z.string().min(1).optional(),
    /** This deployment's environment name (`dev`, `prod`…): the relay runs only in `relay.environments`. */
    environment: z.string().trim().toLowerCase().min(1).optional(),
    /** Opens the live dashboard: the token itself, or the HS256 key of JWTs listing the VINs they may see. */
    dashboardToken: z.string().min(16, 'must be at least 16 characters').optional(),
    shutdownTimeoutMs: z.coerce.number().int().min(0).max(600_000).default(10_000),
    maxHeaderSize: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024)
      .default(16 * 1024),
    /** Per listener; undefined: from the process's open-file limit. */
    maxConnections: z.coerce.number().int().min(1).max(1_000_000).optional(),
    maxConnectionsPerClient: z.coerce.number().int().min(1).max(1_000_000).default(1024),
    tlsHandshakeTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(10_000),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    /** The request log: on or off, how long and how many records it keeps. */
    requestLog: z
      .object({
        enabled: onOff.default(true),
        retention: age.default(7 * 24 * 3600 * 1000),
        max: z.coerce.number().int().min(100).max(100_000_000).default(100_000),
      })
      .strict()
      .default({ enabled: true, retention: 7 * 24 * 3600 * 1000, max: 100_000 }),
  })
  .strict();

export type ServeConfig = z.infer<typeof serveConfig>;

/**
 * The listeners to start: the configured list, or the classic pair from `port`/`host` and `tls`
 * (`http`, plus `https` when a certificate is configured).
 */
export function listenersOf(config: ServeConfig): ListenerConfig[] {
  if (config.listeners) return config.listeners;
  const http: ListenerConfig = {
    name: 'http',
    port: config.port,
    ...(config.host ? { host: config.host } : {}),
  };
  // With ACME the HTTPS listener starts with no certificate and serves as soon as one exists.
  if (!config.tls.cert && config.tls.certificates.length === 0 && !acmeEnabled(config.acme)) return [http];
  return [
    http,
    {
      name: 'https',
      port: config.tls.port,
      ...(config.host ? { host: config.host } : {}),
      tls: {
        ...(config.tls.cert ? { cert: config.tls.cert } : {}),
        ...(config.tls.key ? { key: config.tls.key } : {}),
        certificates: config.tls.certificates,
        clientCertificates: 'none',
      },
    },
  ];
}
