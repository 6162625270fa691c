/** The client id of the gateway's own edge client: protected routes log people in through it. */
export const EDGE_CLIENT_ID = 'gatehouse-edge';

/** The client id of `gatehouse login` (public: a CLI keeps no secret). */
export const CLI_CLIENT_ID = 'gatehouse-cli';

/** The client id of the admin web app at `/ui` (public: a page in the browser keeps no secret). */
export const ADMIN_APP_CLIENT_ID = 'gatehouse-admin';
