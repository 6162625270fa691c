import { ADMIN_APP_CLIENT_ID, CLI_CLIENT_ID, EDGE_CLIENT_ID } from '../identity/client-ids.ts';
import { SESSION_PATHS } from '../sessions/route-login.ts';
import type { FirstPartyClient } from './provider-config.ts';

/** Where the admin web app may be sent back to with a code: itself, on the admin hosts. */
export interface AdminAppRedirects {
  /** The app's address on the main admin host, as its registered redirect URI. */
  readonly home: string;
  /** Whether `uri` is the app's own address on an admin host. */
  readonly allowed: (uri: string) => boolean;
  /** The app's path (`/ui/`): an origin may call the token endpoint when the app there may log in. */
  readonly path: string;
}

/**
 * The clients the authorization server knows without registration: the gateway's edge client
 * (confidential, code flow, back to the callbacks `redirectAllowed` accepts), `gatehouse login`
 * (public, device flow) and the admin web app (public, code flow, back to itself on an admin host,
 * its token calls made from the page's origin).
 */
export function firstPartyClients(
  issuer: string,
  edgeSecret: string,
  redirectAllowed: (uri: string) => boolean,
  adminApp?: AdminAppRedirects,
): FirstPartyClient[] {
  return [
    {
      metadata: {
        client_id: EDGE_CLIENT_ID,
        client_secret: edgeSecret,
        client_name: 'Gatehouse',
        redirect_uris: [`${issuer}${SESSION_PATHS.callback}`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
      redirectAllowed,
    },
    {
      metadata: {
        client_id: CLI_CLIENT_ID,
        client_name: 'gatehouse CLI',
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
    },
    ...(adminApp
      ? [
          {
            metadata: {
              client_id: ADMIN_APP_CLIENT_ID,
              client_name: 'Gatehouse admin',
              redirect_uris: [adminApp.home],
              grant_types: ['authorization_code', 'refresh_token'],
              response_types: ['code'],
              token_endpoint_auth_method: 'none',
            },
            redirectAllowed: adminApp.allowed,
            originAllowed: (origin: string) => adminApp.allowed(`${origin}${adminApp.path}`),
          } satisfies FirstPartyClient,
        ]
      : []),
  ];
}
