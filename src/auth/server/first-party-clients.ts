import { CLI_CLIENT_ID, EDGE_CLIENT_ID } from '../identity/client-ids.ts';
import { SESSION_PATHS } from '../sessions/route-login.ts';
import type { FirstPartyClient } from './provider-config.ts';

/**
 * The clients the authorization server knows without registration: the gateway's edge client
 * (confidential, code flow, back to the callbacks `redirectAllowed` accepts) and `gatehouse login`
 * (public, device flow).
 */
export function firstPartyClients(
  issuer: string,
  edgeSecret: string,
  redirectAllowed: (uri: string) => boolean,
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
  ];
}
