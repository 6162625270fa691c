import { z } from 'zod';
import { pathPrefix } from './route-fields.ts';

/** How a webhook picks its developer: a header, a query parameter or a JSON body field, or all. */
export const webhookSettings = z
  .object({
    /** Paths that receive webhooks. */
    paths: z.array(pathPrefix).min(1),
    /** Where the developer is read from; `broadcast` delivers to every registered developer. */
    select: z.union([
      z.object({ header: z.string().min(1).toLowerCase() }).strict(),
      z.object({ query: z.string().min(1) }).strict(),
      z.object({ json: z.string().min(1) }).strict(),
      z.literal('broadcast'),
    ]),
    /** Maps the selected value to a developer id; without it the value is the developer id. */
    map: z.record(z.string(), z.string()).optional(),
    /** Largest webhook body accepted, in bytes. */
    maxBodyBytes: z
      .number()
      .int()
      .min(1)
      .max(25 * 1024 * 1024)
      .default(1024 * 1024),
    /** More header names to show redacted in deliveries (and keep encrypted), beyond the built-in credentials. */
    redactHeaders: z.array(z.string().min(1).max(100).toLowerCase()).max(100).optional(),
    /** How many bytes of each body the deliveries list shows; the whole body is kept for replay. */
    recordBodyBytes: z
      .number()
      .int()
      .min(0)
      .max(1024 * 1024)
      .default(64 * 1024),
  })
  .strict();

export type WebhookSettings = z.infer<typeof webhookSettings>;

/** The relay options of a route (`"relay": {…}` in the route). */
export const routeRelaySettings = z
  .object({
    /** Paths that receive the provider's callback. */
    callbackPaths: z.array(pathPrefix).min(1).default(['/api/v1/tesla/oauth/callback']),
    /** Query parameter that routes a callback to its developer. */
    stateParam: z.string().min(1).max(100).default('state'),
    /** Where the registration API is served on the route's host. */
    prefix: pathPrefix.default('/api/v1/dev-proxy'),
    /** Host patterns a registered URL may point at (`*.example.com` or exact). */
    allowedTargets: z.array(z.string().min(1)).default(['*.trycloudflare.com']),
    /** How long a learned or posted state mapping lives, in seconds. */
    stateTtlSeconds: z.number().int().min(10).max(86_400).default(900),
    /** Largest JSON body searched for an authorize URL's state, in bytes. */
    learnBodyLimit: z
      .number()
      .int()
      .min(0)
      .max(1024 * 1024)
      .default(64 * 1024),
    /** Webhook delivery to developers, when set. */
    webhooks: webhookSettings.optional(),
  })
  .strict();

export type RouteRelaySettings = z.infer<typeof routeRelaySettings>;

/** Process-wide relay settings: whether it may run at all, and its secret. */
export interface RelayGlobals {
  /** True when enabled and the environment allows it (see environment.ts). */
  readonly active: boolean;
  /** The shared HMAC secret; the relay refuses registrations without one. */
  readonly secret: string | undefined;
  /** Longest a registration lives, in seconds. */
  readonly maxTtlSeconds: number;
}
