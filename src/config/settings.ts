import { LOG_LEVELS } from '../core/logger.ts';

/** The groups settings are listed in, by `serve --help` and the reference, in this order. */
export const SETTING_GROUPS = {
  general: { heading: 'Options' },
  relay: { heading: 'Callback relay (on routes with "relay" settings; see README)' },
  teslaLogin: { heading: 'Tesla login (fleet-login routes; see README)' },
  dashboard: { heading: 'Live dashboard (/fleet/dashboard on the admin hosts; see README)' },
  auth: { heading: 'Authorization server (OAuth 2.1 on the auth host; see README)' },
  tunnels: { heading: 'Tunnels (<name>.<domain>)' },
  login: {
    heading: 'Login through GitHub, GitLab or OIDC (secrets from the environment or --config only)',
  },
  acme: { heading: 'Automatic certificates by ACME (see docs/guides/certificates.md)' },
  fleet: { heading: 'Tesla Fleet kit (see README)' },
  telemetry: {
    heading: 'Fleet Telemetry receiver (vehicles stream here over mTLS; see README)',
    note: 'Sinks per record type, reliable ack, rate limit and history go in the config file:\n  telemetry: { records: { V: [store, redis] }, reliableAck: { V: redis },\n              rateLimit: { messages: 1000, intervalSeconds: 30 }, history: { perVin: 120 } }',
  },
} as const satisfies Record<string, { readonly heading: string; readonly note?: string }>;

/** One of {@link SETTING_GROUPS}. */
export type SettingGroup = keyof typeof SETTING_GROUPS;

/** A setting: its dotted config key (`tls.cert`), the flag and variables that set it, and its help. */
export interface Setting {
  readonly key: string;
  /** No flag for secrets: command lines are visible to every user of the machine. */
  readonly flag?: string;
  /** What the flag's value looks like in its usage (`N` in `--port N`); none for a switch. */
  readonly value?: string;
  readonly env: string;
  /** Older names of the variable, read when `env` is not set. */
  readonly aliases?: readonly string[];
  readonly boolean?: boolean;
  /** Its value never appears in a message. */
  readonly secret?: boolean;
  readonly group: SettingGroup;
  /** One line of help; the aliases are added after it wherever it is shown. */
  readonly description: string;
}

/** `--config FILE` / `GATEHOUSE_CONFIG`: where the other settings may come from, so not one of them. */
export const CONFIG_FILE = {
  flag: 'config',
  value: 'FILE',
  env: 'GATEHOUSE_CONFIG',
  description: 'YAML or JSON config file',
} as const;

/**
 * Every setting reachable from the command line or the environment, in the order `serve --help`
 * lists them in their group. The config file can set these and more (see `schema.ts`).
 */
export const SETTINGS: readonly Setting[] = [
  {
    key: 'port',
    flag: 'port',
    value: 'N',
    env: 'GATEHOUSE_PORT',
    group: 'general',
    description: 'HTTP port (default 8080; 0 picks a free one)',
  },
  {
    key: 'host',
    flag: 'host',
    value: 'ADDR',
    env: 'GATEHOUSE_HOST',
    group: 'general',
    description: 'Address to bind (default: all interfaces)',
  },
  {
    key: 'data',
    flag: 'data',
    value: 'DIR',
    env: 'GATEHOUSE_DATA',
    group: 'general',
    description: 'Embedded SQLite store directory (default ./.gatehouse)',
  },
  {
    key: 'store',
    flag: 'store',
    value: 'redis://HOST:P',
    env: 'GATEHOUSE_STORE',
    group: 'general',
    description: 'Shared Redis store instead of SQLite',
  },
  {
    key: 'domain',
    flag: 'domain',
    value: 'NAME',
    env: 'GATEHOUSE_DOMAIN',
    group: 'general',
    description:
      "Gatehouse's own host name; the admin API answers on it and on localhost (default localhost)",
  },
  {
    key: 'tls.cert',
    flag: 'tls-cert',
    value: 'FILE',
    env: 'GATEHOUSE_TLS_CERT',
    group: 'general',
    description: 'Default TLS certificate (PEM)',
  },
  {
    key: 'tls.key',
    flag: 'tls-key',
    value: 'FILE',
    env: 'GATEHOUSE_TLS_KEY',
    group: 'general',
    description: 'Its private key (PEM)',
  },
  {
    key: 'tls.port',
    flag: 'tls-port',
    value: 'N',
    env: 'GATEHOUSE_TLS_PORT',
    group: 'general',
    description: 'HTTPS port when TLS is configured (8443)',
  },
  {
    key: 'trustProxy',
    flag: 'trust-proxy',
    env: 'GATEHOUSE_TRUST_PROXY',
    boolean: true,
    group: 'general',
    description: 'Append to incoming X-Forwarded-* instead of replacing them (only behind another proxy)',
  },
  {
    key: 'shutdownTimeoutMs',
    flag: 'shutdown-timeout',
    value: 'MS',
    env: 'GATEHOUSE_SHUTDOWN_TIMEOUT_MS',
    group: 'general',
    description: 'How long to drain requests on SIGTERM (default 10000)',
  },
  {
    key: 'maxHeaderSize',
    flag: 'max-header-size',
    value: 'BYTES',
    env: 'GATEHOUSE_MAX_HEADER_SIZE',
    group: 'general',
    description: 'Largest request head accepted (16384)',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    value: 'N',
    env: 'GATEHOUSE_MAX_CONNECTIONS',
    group: 'general',
    description:
      'Client connections one listener holds; past it the oldest idle one is closed (default: 7/10 of the open-file limit, at most 20000)',
  },
  {
    key: 'maxConnectionsPerClient',
    flag: 'max-connections-per-client',
    value: 'N',
    env: 'GATEHOUSE_MAX_CONNECTIONS_PER_CLIENT',
    group: 'general',
    description:
      'Client connections one address holds on a listener; past it its oldest idle one is closed (default 1024)',
  },
  {
    key: 'tlsHandshakeTimeoutMs',
    flag: 'tls-handshake-timeout',
    value: 'MS',
    env: 'GATEHOUSE_TLS_HANDSHAKE_TIMEOUT_MS',
    group: 'general',
    description: 'How long a TLS client has to send its ClientHello and finish the handshake (default 10000)',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    value: 'LEVEL',
    env: 'GATEHOUSE_LOG_LEVEL',
    group: 'general',
    description: LOG_LEVELS.join('|'),
  },
  {
    key: 'requestLog.enabled',
    flag: 'request-log',
    value: 'on|off',
    env: 'GATEHOUSE_REQUEST_LOG',
    group: 'general',
    description:
      'Keep a record of every request in the store, for the admin API and gatehouse logs (default on)',
  },
  {
    key: 'requestLog.retention',
    flag: 'request-log-retention',
    value: 'AGE',
    env: 'GATEHOUSE_REQUEST_LOG_RETENTION',
    group: 'general',
    description: 'How long request records are kept: 30m, 12h, 7d (default 7d)',
  },
  {
    key: 'requestLog.max',
    flag: 'request-log-max',
    value: 'N',
    env: 'GATEHOUSE_REQUEST_LOG_MAX',
    group: 'general',
    description: 'Most request records kept; the oldest go first (default 100000)',
  },
  {
    key: 'adminKey',
    env: 'GATEHOUSE_ADMIN_KEY',
    secret: true,
    group: 'general',
    description:
      'The admin API key. Without it, the first start creates a key and prints it once; only its hash is stored',
  },
  {
    key: 'relay.enabled',
    flag: 'relay',
    env: 'GATEHOUSE_RELAY',
    aliases: ['DEV_PROXY_ENABLED'],
    boolean: true,
    group: 'relay',
    description: 'Turn the relay on. It runs only where GATEHOUSE_ENV (or ENV) is dev, lcl or inf',
  },
  {
    key: 'relay.maxTtlSeconds',
    flag: 'relay-max-ttl',
    value: 'SECONDS',
    env: 'GATEHOUSE_RELAY_MAX_TTL',
    aliases: ['DEV_PROXY_MAX_TTL'],
    group: 'relay',
    description: 'Longest registration (14400)',
  },
  {
    key: 'relay.secret',
    env: 'GATEHOUSE_RELAY_SECRET',
    aliases: ['DEV_PROXY_SHARED_SECRET'],
    secret: true,
    group: 'relay',
    description: 'The shared HMAC secret, 16+ characters',
  },
  {
    key: 'environment',
    env: 'GATEHOUSE_ENV',
    aliases: ['ENV'],
    group: 'relay',
    description: "This deployment's environment name; the relay runs only in one of relay.environments",
  },
  {
    key: 'secretKey',
    env: 'GATEHOUSE_SECRET_KEY',
    secret: true,
    group: 'teslaLogin',
    description:
      'Seals stored tokens: 64 hex digits, base64 of 32 bytes, or a passphrase of 16+ characters; SQLite makes secret.key on first use, Redis needs it set',
  },
  {
    key: 'tesla.clientId',
    env: 'TESLA_CLIENT_ID',
    group: 'teslaLogin',
    description: "The application's client ID from developer.tesla.com",
  },
  {
    key: 'tesla.clientSecret',
    env: 'TESLA_CLIENT_SECRET',
    secret: true,
    group: 'teslaLogin',
    description: 'Its client secret',
  },
  {
    key: 'tesla.region',
    env: 'TESLA_REGION',
    group: 'teslaLogin',
    description: "Region of the application's users: na, eu or cn (na); a route may name its own",
  },
  {
    key: 'tesla.redirectUri',
    env: 'TESLA_REDIRECT_URI',
    group: 'teslaLogin',
    description: "Redirect URI registered with Tesla (default: the route's /callback)",
  },
  {
    key: 'tesla.scopes',
    env: 'TESLA_OAUTH_SCOPES',
    group: 'teslaLogin',
    description: "Scopes asked of users, comma- or space-separated (default: the dashboard's set)",
  },
  {
    key: 'tesla.simulator',
    env: 'TESLA_SIMULATOR',
    group: 'teslaLogin',
    description: "Base URL of gatehouse fleet simulate, standing for all of Tesla's URLs",
  },
  {
    key: 'tesla.authUrl',
    env: 'TESLA_AUTH_URL',
    group: 'teslaLogin',
    description: "Tesla's OAuth base (…/oauth2/v3), when not the region's",
  },
  {
    key: 'tesla.authorizeUrl',
    env: 'TESLA_AUTHORIZE_URL',
    group: 'teslaLogin',
    description: "The page users authorize on, when not the region's",
  },
  {
    key: 'tesla.audience',
    env: 'TESLA_AUDIENCE',
    group: 'teslaLogin',
    description: "The Fleet API base URL (the tokens' audience), when not the region's",
  },
  {
    key: 'dashboardToken',
    env: 'GATEHOUSE_DASHBOARD_TOKEN',
    aliases: ['DASHBOARD_TOKEN'],
    secret: true,
    group: 'dashboard',
    description:
      '16+ characters: open the page with ?token= set to it, or to an HS256 JWT signed with it whose vins claim lists the VINs it may see',
  },
  {
    key: 'auth.host',
    flag: 'auth-host',
    value: 'NAME',
    env: 'GATEHOUSE_AUTH_HOST',
    group: 'auth',
    description: 'Host of the authorization server and login pages (default: the --domain host)',
  },
  {
    key: 'auth.adminUsers',
    flag: 'admin-users',
    value: 'LIST',
    env: 'GATEHOUSE_ADMIN_USERS',
    group: 'auth',
    description: 'Who gets the admin scope: github:alice,gitlab:bob,oidc:<sub> (OIDC people by their sub)',
  },
  {
    key: 'auth.tunnelUsers',
    flag: 'tunnel-users',
    value: 'LIST',
    env: 'GATEHOUSE_TUNNEL_USERS',
    group: 'auth',
    description:
      'Who may log in here for tunnels of their own, as a route allows people: github-org:acme,… (*)',
  },
  {
    key: 'auth.devClientMetadataCa',
    env: 'GATEHOUSE_DEV_CIMD_CA',
    value: 'FILE',
    group: 'auth',
    description:
      'Development and tests only: Client ID Metadata Documents may come from loopback and private addresses, over https this CA (PEM) certifies; unset, such documents are refused',
  },
  {
    key: 'auth.accessTokenMinutes',
    flag: 'access-token-minutes',
    value: 'N',
    env: 'GATEHOUSE_ACCESS_TOKEN_MINUTES',
    group: 'auth',
    description: 'Lifetime of access tokens (30)',
  },
  {
    key: 'auth.refreshTokenDays',
    flag: 'refresh-token-days',
    value: 'N',
    env: 'GATEHOUSE_REFRESH_TOKEN_DAYS',
    group: 'auth',
    description: 'Lifetime of a login through refresh tokens (365)',
  },
  {
    key: 'tunnels.offlineWaitMs',
    flag: 'tunnel-offline-wait',
    value: 'MS',
    env: 'GATEHOUSE_TUNNEL_OFFLINE_WAIT_MS',
    group: 'tunnels',
    description: 'Hold requests for an offline tunnel this long before answering 503 (default 2000)',
  },
  {
    key: 'tunnels.maxConcurrentStreams',
    flag: 'tunnel-max-streams',
    value: 'N',
    env: 'GATEHOUSE_TUNNEL_MAX_STREAMS',
    group: 'tunnels',
    description: 'Requests in flight per tunnel (256)',
  },
  {
    key: 'tunnels.maxBodyBytes',
    flag: 'tunnel-max-body',
    value: 'BYTES',
    env: 'GATEHOUSE_TUNNEL_MAX_BODY',
    group: 'tunnels',
    description: 'Largest request body, 0 = no limit (0)',
  },
  {
    key: 'tunnels.responseTimeoutMs',
    flag: 'tunnel-response-timeout',
    value: 'MS',
    env: 'GATEHOUSE_TUNNEL_RESPONSE_TIMEOUT_MS',
    group: 'tunnels',
    description: 'Wait for the local server (300000)',
  },
  {
    key: 'tunnels.nodeAddress',
    flag: 'node-address',
    value: 'HOST:PORT',
    env: 'GATEHOUSE_NODE_ADDRESS',
    group: 'tunnels',
    description:
      "With a shared --store: where the other nodes reach this one's HTTP listener, so a request for a tunnel connected here can arrive at any node (this host's name and the HTTP port)",
  },
  {
    key: 'tunnels.heartbeatMs',
    flag: 'tunnel-heartbeat',
    value: 'MS',
    env: 'GATEHOUSE_TUNNEL_HEARTBEAT_MS',
    group: 'tunnels',
    description: 'Ping interval; two missed = dead (15000)',
  },
  {
    key: 'tunnels.maxPerOwner',
    flag: 'tunnel-max-per-key',
    value: 'N',
    env: 'GATEHOUSE_TUNNEL_MAX_PER_KEY',
    group: 'tunnels',
    description: 'Tunnels one admin key may own (100)',
  },
  {
    key: 'tunnels.perUser',
    flag: 'tunnels-per-user',
    value: 'N',
    env: 'GATEHOUSE_TUNNELS_PER_USER',
    group: 'tunnels',
    description: 'Tunnels a person who logs in may make for themselves; admins: --tunnel-max-per-key (1)',
  },
  // upstream login: client secrets come from the environment or the config file, never a flag
  {
    key: 'login.github.clientId',
    flag: 'github-client-id',
    value: 'ID',
    env: 'GITHUB_CLIENT_ID',
    group: 'login',
    description: "GitHub OAuth app's client ID",
  },
  {
    key: 'login.github.clientSecret',
    env: 'GITHUB_CLIENT_SECRET',
    secret: true,
    group: 'login',
    description: 'Its client secret',
  },
  {
    key: 'login.github.url',
    flag: 'github-url',
    value: 'URL',
    env: 'GITHUB_URL',
    group: 'login',
    description: 'GitHub Enterprise: https://HOST (API then at https://HOST/api/v3)',
  },
  {
    key: 'login.github.apiUrl',
    flag: 'github-api-url',
    value: 'URL',
    env: 'GITHUB_API_URL',
    group: 'login',
    description: 'GitHub API base, when not the default for --github-url',
  },
  {
    key: 'login.gitlab.clientId',
    flag: 'gitlab-client-id',
    value: 'ID',
    env: 'GITLAB_CLIENT_ID',
    group: 'login',
    description: "GitLab application's ID",
  },
  {
    key: 'login.gitlab.clientSecret',
    env: 'GITLAB_CLIENT_SECRET',
    secret: true,
    group: 'login',
    description: 'Its secret',
  },
  {
    key: 'login.gitlab.url',
    flag: 'gitlab-url',
    value: 'URL',
    env: 'GITLAB_URL',
    group: 'login',
    description: 'Self-hosted GitLab (https://gitlab.com)',
  },
  {
    key: 'login.oidc.issuer',
    flag: 'oidc-issuer',
    value: 'URL',
    env: 'GATEHOUSE_OIDC_ISSUER',
    aliases: ['OIDC_ISSUER'],
    group: 'login',
    description: 'Any OpenID Connect issuer',
  },
  {
    key: 'login.oidc.clientId',
    flag: 'oidc-client-id',
    value: 'ID',
    env: 'GATEHOUSE_OIDC_CLIENT_ID',
    aliases: ['OIDC_CLIENT_ID'],
    group: 'login',
    description: "The issuer's client",
  },
  {
    key: 'login.oidc.clientSecret',
    env: 'GATEHOUSE_OIDC_CLIENT_SECRET',
    aliases: ['OIDC_CLIENT_SECRET'],
    secret: true,
    group: 'login',
    description: "The client's secret",
  },
  {
    key: 'login.oidc.id',
    flag: 'oidc-provider-id',
    value: 'ID',
    env: 'GATEHOUSE_OIDC_PROVIDER_ID',
    aliases: ['OIDC_PROVIDER_ID'],
    group: 'login',
    description: 'Its name in policies and the callback path, as in oidc:<sub> (oidc)',
  },
  {
    key: 'login.oidc.label',
    flag: 'oidc-label',
    value: 'TEXT',
    env: 'GATEHOUSE_OIDC_LABEL',
    aliases: ['OIDC_LABEL'],
    group: 'login',
    description: "Its button on the login page (default: the issuer's host)",
  },
  {
    key: 'login.oidc.scopes',
    flag: 'oidc-scopes',
    value: 'SCOPES',
    env: 'GATEHOUSE_OIDC_SCOPES',
    aliases: ['OIDC_SCOPES'],
    group: 'login',
    description: 'Scopes asked of it, space-separated (default openid profile email offline_access)',
  },
  {
    key: 'acme.directory',
    flag: 'acme-directory',
    value: 'NAME|URL',
    env: 'GATEHOUSE_ACME_DIRECTORY',
    group: 'acme',
    description:
      'letsencrypt, letsencrypt-staging, or an ACME directory URL; turns automatic certificates on (default letsencrypt when --acme-email is given)',
  },
  {
    key: 'acme.email',
    flag: 'acme-email',
    value: 'ADDRESS',
    env: 'GATEHOUSE_ACME_EMAIL',
    group: 'acme',
    description: 'Contact address of the ACME account; turns automatic certificates on',
  },
  {
    key: 'acme.profile',
    flag: 'acme-profile',
    value: 'NAME',
    env: 'GATEHOUSE_ACME_PROFILE',
    group: 'acme',
    description: "Certificate profile to ask for (Let's Encrypt: classic, tlsserver, shortlived)",
  },
  {
    key: 'acme.challenge',
    flag: 'acme-challenge',
    value: 'TYPE',
    env: 'GATEHOUSE_ACME_CHALLENGE',
    group: 'acme',
    description: 'http-01 (port 80 reaches Gatehouse) or tls-alpn-01 (port 443 does); default http-01',
  },
  {
    key: 'acme.hosts',
    flag: 'acme-hosts',
    value: 'HOSTS',
    env: 'GATEHOUSE_ACME_HOSTS',
    group: 'acme',
    description:
      'More names to certify, comma-separated, besides routes with tls: "auto" and the admin and auth hosts',
  },
  {
    key: 'acme.onDemand',
    flag: 'acme-on-demand',
    env: 'GATEHOUSE_ACME_ON_DEMAND',
    boolean: true,
    group: 'acme',
    description: 'Certify any name a route (wildcard routes too) or a tunnel serves at its first handshake',
  },
  {
    key: 'acme.onDemandPerHour',
    flag: 'acme-on-demand-per-hour',
    value: 'N',
    env: 'GATEHOUSE_ACME_ON_DEMAND_PER_HOUR',
    group: 'acme',
    description: 'On-demand orders one node places per hour at most (default 20)',
  },
  {
    key: 'acme.eabKid',
    flag: 'acme-eab-kid',
    value: 'ID',
    env: 'GATEHOUSE_ACME_EAB_KID',
    group: 'acme',
    description: 'External Account Binding key id, for CAs that need one (ZeroSSL, Google Trust Services)',
  },
  {
    key: 'acme.eabHmacKey',
    env: 'GATEHOUSE_ACME_EAB_HMAC_KEY',
    secret: true,
    group: 'acme',
    description: 'External Account Binding HMAC key (base64url), with --acme-eab-kid',
  },
  {
    key: 'acme.directoryCa',
    flag: 'acme-directory-ca',
    value: 'FILE',
    env: 'GATEHOUSE_ACME_DIRECTORY_CA',
    group: 'acme',
    description: "CA bundle (PEM) to trust for the directory's HTTPS: a private CA's",
  },
  {
    key: 'fleet.key',
    flag: 'fleet-key',
    value: 'FILE',
    env: 'GATEHOUSE_FLEET_KEY',
    group: 'fleet',
    description: "The application's P-256 private key; its public half is served at Tesla's well-known path",
  },
  {
    key: 'fleet.privateKey',
    env: 'TESLA_PRIVATE_KEY',
    secret: true,
    group: 'fleet',
    description: 'The same key given as a path or as the PEM itself',
  },
  {
    key: 'fleet.publicKeyPath',
    env: 'PUBLIC_KEY_PATH',
    group: 'fleet',
    description: 'A public key alone (PEM file), enough to host it',
  },
  {
    key: 'fleet.domains',
    flag: 'fleet-domain',
    value: 'HOSTS',
    env: 'GATEHOUSE_FLEET_DOMAIN',
    group: 'fleet',
    description: 'Hosts that serve the public key, comma-separated (default: the admin hosts)',
  },
  {
    key: 'telemetry.port',
    flag: 'telemetry-port',
    value: 'N',
    env: 'GATEHOUSE_TELEMETRY_PORT',
    group: 'telemetry',
    description: "Port of the vehicles' WebSocket listener; off unless given",
  },
  {
    key: 'telemetry.host',
    flag: 'telemetry-host',
    value: 'ADDR',
    env: 'GATEHOUSE_TELEMETRY_HOST',
    aliases: ['TELEMETRY_HOST'],
    group: 'telemetry',
    description: 'Address it binds (default: all interfaces)',
  },
  {
    key: 'telemetry.cert',
    flag: 'telemetry-cert',
    value: 'FILE',
    env: 'GATEHOUSE_TELEMETRY_CERT',
    aliases: ['TLS_CERT_PATH'],
    group: 'telemetry',
    description: "The server's certificate chain (PEM), or auto for one by ACME for --telemetry-name",
  },
  {
    key: 'telemetry.name',
    flag: 'telemetry-name',
    value: 'NAME',
    env: 'GATEHOUSE_TELEMETRY_NAME',
    group: 'telemetry',
    description:
      "The name vehicles connect to (their config's hostname); certified with --telemetry-cert auto",
  },
  {
    key: 'telemetry.key',
    flag: 'telemetry-key',
    value: 'FILE',
    env: 'GATEHOUSE_TELEMETRY_KEY',
    aliases: ['TLS_KEY_PATH'],
    group: 'telemetry',
    description: 'Its private key (PEM)',
  },
  {
    key: 'telemetry.ca',
    flag: 'telemetry-ca',
    value: 'FILE',
    env: 'GATEHOUSE_TELEMETRY_CA',
    aliases: ['TLS_CA_PATH'],
    group: 'telemetry',
    description: "CAs vehicle certificates must chain to (Tesla's, or the simulator's)",
  },
];

/** The setting as typed on a command line (`--port N`, `--relay`), or its variable when it has no flag. */
export function usageOf(setting: Pick<Setting, 'flag' | 'value' | 'env'>): string {
  if (setting.flag === undefined) return setting.env;
  return setting.value ? `--${setting.flag} ${setting.value}` : `--${setting.flag}`;
}

/** The description followed by the older names of its variable: `… Also DEV_PROXY_ENABLED`. */
export function describeSetting(setting: Pick<Setting, 'description' | 'aliases'>): string {
  const aliases = setting.aliases ?? [];
  return aliases.length ? `${setting.description}. Also ${aliases.join(', ')}` : setting.description;
}
