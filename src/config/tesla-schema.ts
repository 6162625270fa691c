import { z } from 'zod';
import { teslaScope } from '../routes/fleet-login-settings.ts';
import { targetUrl } from '../routes/route-fields.ts';

/** An empty value counts as not given, as an empty variable does. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** An absolute http(s) URL; `what` says which one, for the message. */
const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), { message: `must be ${what}` });

/**
 * The Tesla application `fleet-login` routes log users in to (`tesla:` in the config file, or the
 * `TESLA_*` variables). Region and URLs are worked out from it in `src/fleet/tesla-settings.ts`.
 */
export const teslaConfig = z
  .object({
    clientId: optional(z.string().trim()),
    clientSecret: optional(z.string()),
    region: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
      z.enum(['na', 'eu', 'cn']).default('na'),
    ),
    /** The base URL of `gatehouse fleet simulate`: it stands for every URL below. */
    simulator: optional(
      httpUrl(
        "the http:// address 'gatehouse fleet simulate' printed, such as http://127.0.0.1:4400",
      ).transform(trimSlash),
    ),
    authUrl: optional(
      httpUrl("an http(s) URL, Tesla's OAuth base ending in /oauth2/v3").transform(trimSlash),
    ),
    authorizeUrl: optional(httpUrl('an http(s) URL of the page users authorize on')),
    audience: optional(httpUrl('an http(s) URL, the Fleet API base').transform(trimSlash)),
    redirectUri: optional(targetUrl),
    /** Asked of users; empty for the dashboard's set. */
    scopes: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v),
        z.array(teslaScope).max(50),
      )
      .default([]),
  })
  .strict();

/** The Tesla application's settings after validation. */
export type TeslaConfig = z.infer<typeof teslaConfig>;
