import type { Region } from './seed.ts';

/** Where each part of the simulator answers, all on one origin. */
export interface SimUrls {
  /** The origin, e.g. `http://127.0.0.1:4400`. */
  readonly url: string;
  /** What the kit calls `TESLA_AUTH_URL`: `{url}/oauth2/v3`. */
  readonly authBaseUrl: string;
  /** The access tokens' `iss`. */
  readonly issuer: string;
  /** The userinfo URL every user token's `aud` lists. */
  readonly userinfo: string;
  /** A region's Fleet API base URL: `{url}/na`, `{url}/eu`, `{url}/cn`. */
  regionBaseUrl(region: Region): string;
}

/** The URLs of a simulator listening at `url`. */
export function simUrls(url: string): SimUrls {
  const origin = url.replace(/\/+$/, '');
  return {
    url: origin,
    authBaseUrl: `${origin}/oauth2/v3`,
    issuer: `${origin}/oauth2/v3/nts`,
    userinfo: `${origin}/oauth2/v3/userinfo`,
    regionBaseUrl: (region) => `${origin}/${region}`,
  };
}
