import { z } from 'zod';
import { matcherText, PROVIDER_ID, parseMatcher } from './access-matcher.ts';
import { pathPrefix } from './route-fields.ts';

/** A matcher string (see `access-matcher.ts`), stored in its canonical form. */
export const accessMatcher = z.string().transform((text, ctx) => {
  const parsed = parseMatcher(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return matcherText(parsed);
});

/** An OAuth scope token (RFC 6749 section 3.3), limited to the characters a header carries plainly. */
export const scopeName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be a scope name such as admin, user or mcp' });

/** A provider id, as a route names the providers it offers. */
const providerId = z
  .string()
  .trim()
  .toLowerCase()
  .regex(PROVIDER_ID, { message: 'must be a provider id such as github, gitlab or oidc' });

/**
 * A route's own client secret: written plainly, stored sealed (`sealed:v1…`), shown as `(set)`.
 * Sending `(set)` back keeps the stored one, so a route read from the API can be sent back whole.
 */
const clientSecret = z.string().min(1).max(4096);

/** One provider's per-route OAuth application. */
const clientCredentials = z.object({ clientId: z.string().min(1).max(512), clientSecret }).strict();

/** The providers a route can bring its own OAuth app for; an OIDC client is set once, globally. */
export const ROUTE_APP_PROVIDERS = ['github', 'gitlab'] as const;

/**
 * Per-route OAuth applications by provider id (seed 002: each proxy can have its own GitHub app),
 * on the same GitHub or GitLab as the global one; used in its place for logins to this route.
 */
export const providerCredentials = z.record(providerId, clientCredentials).superRefine((apps, ctx) => {
  for (const id of Object.keys(apps))
    if (!(ROUTE_APP_PROVIDERS as readonly string[]).includes(id))
      ctx.addIssue({
        code: 'custom',
        path: [id],
        message: `a route can have its own app for ${ROUTE_APP_PROVIDERS.join(' and ')} only; an OIDC client is configured once (login.oidc)`,
      });
});

/** Headers that must keep their meaning: a prefix matching them would strip what the proxy relies on. */
const PROTECTED_PREFIXES = ['x-forwarded-', 'x-relay-', 'x-real-'];

/** The prefix of the identity headers (`X-Auth-` gives `X-Auth-User`); client copies are always removed. */
export const identityHeaderPrefix = z
  .string()
  .regex(/^X-[A-Za-z0-9]+(-[A-Za-z0-9]+)*-$/i, {
    message: 'must look like X-Auth-: X-, letters or digits, ending in -',
  })
  .refine((p) => !PROTECTED_PREFIXES.some((own) => p.toLowerCase().startsWith(own)), {
    message: `must not start with ${PROTECTED_PREFIXES.join(', ')}: Gatehouse sets those itself`,
  });

/** Scopes a path prefix requires; the longest matching prefix applies. */
const requirement = z.object({ path: pathPrefix, scopes: z.array(scopeName).min(1).max(20) }).strict();

/** The default prefix of the identity headers. */
export const DEFAULT_IDENTITY_PREFIX = 'X-Auth-';

/** `"auth": {…}` on a route: who may pass, which scopes each gets, what each path needs. */
export const routeAuthSettings = z
  .object({
    /** Who may pass at all; at least one matcher (`*` for anyone who logs in). */
    allow: z.array(accessMatcher).min(1).max(500),
    /** Scope name → who gets it, among those allowed. */
    scopes: z
      .record(z.string(), z.array(accessMatcher).max(500))
      .superRefine((scopes, ctx) => {
        // Checked here rather than as the record's key type, so the message names the scope.
        for (const name of Object.keys(scopes))
          if (!scopeName.safeParse(name).success)
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: 'must be a scope name such as admin, user or mcp',
            });
      })
      .default({ user: ['*'] }),
    /** Scopes required below path prefixes (absolute request paths); the longest match applies. */
    require: z.array(requirement).max(100).default([]),
    /** Path prefixes (absolute request paths) served without a token. */
    public: z.array(pathPrefix).max(100).default([]),
    /** This route's own OAuth applications, by provider id. */
    providers: providerCredentials.optional(),
    /** The identity headers' prefix; `X-Auth-` unless set. */
    headerPrefix: identityHeaderPrefix.default(DEFAULT_IDENTITY_PREFIX),
    /** The providers a browser may log in with on this route; all configured ones unless set. */
    login: z.array(providerId).min(1).max(20).optional(),
    /** Lets CORS preflights (OPTIONS with Origin and Access-Control-Request-Method) through without a token. */
    corsPreflight: z.boolean().default(false),
  })
  .strict()
  .superRefine((auth, ctx) => {
    const paths = auth.require.map((r) => r.path);
    const dup = paths.find((p, i) => paths.indexOf(p) !== i);
    if (dup !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['require'],
        message: `${dup} is listed twice; merge its scopes`,
      });
    // A required scope nobody can be given would lock everyone out of the path.
    for (const [i, r] of auth.require.entries())
      for (const scope of r.scopes)
        if (!Object.hasOwn(auth.scopes, scope))
          ctx.addIssue({
            code: 'custom',
            path: ['require', i, 'scopes'],
            message: `${scope} is given to nobody; add it to auth.scopes (as "${scope}": ["github:alice"])`,
          });
  });

/** A route's auth settings as stored. */
export type RouteAuthSettings = z.output<typeof routeAuthSettings>;
