/**
 * The tunnel wire protocol. An agent sends one HTTP/1.1 upgrade request to {@link CONNECT_PATH}
 * on the Gatehouse admin host, authenticated by the tunnel's key, asking for {@link RAW_UPGRADE}
 * (or `websocket`, for proxies that pass nothing else). Over the upgraded connection (or the
 * WebSocket's byte stream) the edge is an HTTP/2 client and the agent an HTTP/2 server: each
 * public request is one HTTP/2 stream, so flow control, backpressure, multiplexing and
 * heartbeats (PING) come from HTTP/2 itself.
 *
 * Upgrades (WebSocket) travel as a CONNECT stream carrying {@link UPGRADE_HEADER}; its bytes are
 * the raw HTTP/1.1 exchange between the client and the local server.
 */
export const CONNECT_PATH = '/api/v1/tunnels/connect';

/** Upgrade token for HTTP/2 straight on the upgraded connection. */
export const RAW_UPGRADE = 'gatehouse-tunnel/1';

/** Request header naming the tunnel the agent connects as. */
export const TUNNEL_HEADER = 'gatehouse-tunnel';
/** Request header with the agent's version, for the audit trail. */
export const AGENT_HEADER = 'gatehouse-agent';
/** Response header (on the 101) with the tunnel's public URL. */
export const PUBLIC_URL_HEADER = 'gatehouse-public-url';
/** Header on a CONNECT stream: the raw upgrade request follows in the stream. */
export const UPGRADE_HEADER = 'gatehouse-upgrade';
/** Header on every stream with the edge's id for the request, shown by the agent's inspector. */
export const REQUEST_ID_HEADER = 'gatehouse-request-id';
