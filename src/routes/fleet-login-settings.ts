import { z } from 'zod';
import { targetUrl } from './route-fields.ts';

/** An OAuth scope name as Tesla spells them (`vehicle_device_data`, `openid`). */
export const teslaScope = z
  .string()
  .regex(/^[A-Za-z0-9_:.-]{1,100}$/, { message: 'must be a scope name such as vehicle_device_data' });

/** The options of a `fleet-login` route (`"fleetLogin": {…}`); every one has a default. */
export const fleetLoginSettings = z
  .object({
    /** Scopes asked for; default `TESLA_OAUTH_SCOPES`, else the dashboard's set. */
    scopes: z.array(teslaScope).min(1).max(50).optional(),
    /** The redirect URI registered with Tesla; default `TESLA_REDIRECT_URI`, else `{origin}{path}/callback`. */
    redirectUri: targetUrl.optional(),
    /** The Tesla region of this application's users; default `TESLA_REGION`, else na. */
    region: z.enum(['na', 'eu', 'cn']).optional(),
    /** The application's domain whose virtual key vehicles pair with; default the request's host. */
    domain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^(?!-)[a-z0-9.-]{1,253}$/, { message: 'must be a host name such as app.example.com' })
      .optional(),
    /** How long a login lasts in this browser, in hours. */
    sessionHours: z.number().int().min(1).max(2160).default(168),
  })
  .strict();

/** The options of a `fleet-login` route. */
export type FleetLoginSettings = z.infer<typeof fleetLoginSettings>;
