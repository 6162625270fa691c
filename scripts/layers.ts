/**
 * The layers of src/ and which may import which: the rule docs/architecture.md describes, read by
 * test/layering.unit.test.ts (which fails on any other import) and by the reference generator.
 * A request runs down this table: listener → dispatcher → route handler (an area) → target.
 */

/** The layers, top first: each folder of src/ (or the part of one that is its own layer). */
export const LAYERS = [
  'cli',
  'gateway',
  'edge/listen',
  'edge',
  'mcp',
  'admin',
  'simulator',
  'dev-idp',
  'tunnel/self-service',
  'relay',
  'mcp/route',
  'tunnel/agent',
  'tunnel/server',
  'tunnel/protocol',
  'fleet',
  'auth/route',
  'auth/server',
  'config',
  'telemetry',
  'certs',
  'edge/proxy',
  'edge/routing',
  'auth/upstream',
  'auth/sessions',
  'auth/keys',
  'auth/identity',
  'store',
  'routes',
  'http',
  'core',
] as const;

/** One layer of {@link LAYERS}. */
export type Layer = (typeof LAYERS)[number];

const KIT = ['http', 'core'] as const;
const MODEL = ['routes', 'store', ...KIT] as const;

/** What each layer may import besides itself. Nothing may import a layer above it. */
export const ALLOWED_IMPORTS: Readonly<Record<Layer, readonly Layer[]>> = {
  // The command line starts the gateway, the agent, the simulator, the stand-in issuer and the kit's clients.
  cli: [
    'gateway',
    'simulator',
    'dev-idp',
    'tunnel/agent',
    'tunnel/protocol',
    'relay',
    'fleet',
    'telemetry',
    'admin',
    'config',
    'auth/keys',
    'auth/identity',
    ...MODEL,
  ],
  // The one wiring file: everything a running gateway is made of, nothing of the CLI or agent.
  gateway: LAYERS.filter((l) => !['cli', 'gateway', 'simulator', 'dev-idp', 'tunnel/agent'].includes(l)),
  'edge/listen': ['edge', 'tunnel/server', 'config', ...KIT],
  // The dispatcher knows route handlers, guards and mounts only by their contracts in routes/.
  edge: ['routes', ...KIT],
  // Gatehouse's own MCP server: its tools call the admin service, as the admin API does.
  mcp: ['admin', 'auth/route', 'auth/keys', ...MODEL],
  admin: [
    'mcp/route',
    'tunnel/server',
    'tunnel/protocol',
    'relay',
    'telemetry',
    'edge/routing',
    'auth/route',
    'auth/keys',
    'certs',
    ...MODEL,
  ],
  // Tesla's cloud stand-in: runs beside a gateway, never inside one.
  simulator: ['fleet', 'telemetry', ...KIT],
  // The stand-in OIDC issuer (`gatehouse dev-idp`): like the simulator, beside a gateway, never in one.
  // It keeps oidc-provider's records as the authorization server does, through its store adapter.
  'dev-idp': ['auth/server', 'store', ...KIT],
  'tunnel/self-service': ['tunnel/server', 'tunnel/protocol', 'auth/sessions', 'auth/identity', ...MODEL],
  relay: ['tunnel/server', 'tunnel/protocol', 'edge/proxy', ...MODEL],
  // The mcp route kind: an MCP server behind login, per-tool policy, its own credential, an audit.
  'mcp/route': ['tunnel/server', 'edge/proxy', 'auth/route', 'auth/identity', ...MODEL],
  // The agent and the server share only the protocol.
  'tunnel/agent': ['tunnel/protocol', 'auth/keys', ...KIT],
  'tunnel/server': ['tunnel/protocol', 'auth/keys', ...MODEL],
  'tunnel/protocol': [...KIT],
  fleet: ['auth/sessions', ...MODEL],
  telemetry: [...MODEL],
  // Certificates know routes by their schema and answer ACME challenges as a mount; the gateway
  // hands them the route table and the listeners' certificate sets.
  certs: [...MODEL],
  'edge/proxy': ['routes', ...KIT],
  'edge/routing': [...MODEL],
  'auth/route': ['auth/server', 'auth/upstream', 'auth/sessions', 'auth/keys', 'auth/identity', ...MODEL],
  'auth/server': ['config', 'auth/upstream', 'auth/sessions', 'auth/keys', 'auth/identity', ...MODEL],
  // The settings of every area are declared beside the area and put together here.
  config: ['auth/upstream', 'telemetry', 'routes', ...KIT],
  'auth/upstream': ['auth/identity', ...KIT],
  'auth/sessions': ['auth/identity', 'store', ...KIT],
  'auth/keys': ['store', ...KIT],
  'auth/identity': ['routes', ...KIT],
  store: ['routes', 'core'],
  routes: [...KIT],
  http: ['core'],
  core: [],
};

/** Packages a layer must not load: the store and the protocol speak no HTTP framework. */
export const FORBIDDEN_PACKAGES: Readonly<Partial<Record<Layer, readonly string[]>>> = {
  store: ['hono', '@hono/node-server', 'node:http', 'node:https', 'undici', 'ws'],
  core: ['hono', '@hono/node-server', 'oidc-provider'],
  routes: ['hono', 'node:http', 'oidc-provider'],
};

/** The layer of a path below src/ (`tunnel/agent/dial.ts` → `tunnel/agent`), or undefined outside them. */
export function layerOf(path: string): Layer | undefined {
  const parts = path.split(/[\\/]/);
  if (parts[0] === '..' || parts.length < 2) return undefined;
  const two = `${parts[0]}/${parts[1]}`;
  if ((LAYERS as readonly string[]).includes(two) && parts.length > 2) return two as Layer;
  return (LAYERS as readonly string[]).includes(parts[0]!) ? (parts[0] as Layer) : undefined;
}
