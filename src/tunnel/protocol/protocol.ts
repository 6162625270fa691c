/**
 * The tunnel wire protocol. An agent sends one HTTP/1.1 upgrade request to {@link CONNECT_PATH}
 * on the Gatehouse admin host, authenticated by the tunnel's key, asking for {@link RAW_UPGRADE_V2}
 * (or `websocket` with {@link PROTOCOL_VERSION_HEADER} 2, for proxies that pass nothing else).
 *
 * Protocol 2 runs the multiplexing layer of `mux-frames.ts` over the connection: each stream is a
 * connection to the agent's local server. The edge speaks HTTP/1.1 on it with Node's client (so
 * framing is decided once, by the edge's parser) and the agent passes the bytes on unchanged;
 * idle streams are kept for the next request. TLS passthrough connections get a stream each.
 *
 * Protocol 1 (the previous release, still accepted): the edge is an HTTP/2 client and the agent an
 * HTTP/2 server over the connection, each public request one HTTP/2 stream.
 *
 * Upgrades (WebSocket) travel as a stream carrying {@link UPGRADE_HEADER}. If the local server
 * switches protocols, the agent answers with {@link SWITCHED_HEADER} and the stream's bytes are
 * the raw exchange from the local server's 101 on; any other answer is an ordinary response.
 *
 * TLS passthrough: an agent that sends {@link PASSTHROUGH_HEADER} on its upgrade asks for TLS
 * connections to its name, and Gatehouse answers with {@link PASSTHROUGH_ADDRESS_HEADER}. Each such
 * connection, never terminated by Gatehouse, is one HTTP/2 CONNECT stream (RFC 9113 §8.5) carrying
 * {@link PASSTHROUGH_HEADER}: the agent answers 200 once its local TLS server accepted, and the
 * stream's bytes are the connection's, both ways, from the client's ClientHello on.
 */
export const CONNECT_PATH = '/api/v1/tunnels/connect';

/** Upgrade token for protocol 1: HTTP/2 straight on the upgraded connection (the previous release). */
export const RAW_UPGRADE = 'gatehouse-tunnel/1';
/** Upgrade token for protocol 2: the multiplexing layer (`mux-*.ts`) straight on the connection. */
export const RAW_UPGRADE_V2 = 'gatehouse-tunnel/2';
/**
 * Header with the protocol version: on the agent's upgrade, the one it asks for (WebSocket
 * upgrades carry no token of their own; absent means 1); on the 101, the one the edge speaks.
 */
export const PROTOCOL_VERSION_HEADER = 'gatehouse-protocol';
/** Header on a protocol-2 upgrade: the `Host` the agent's local server expects (absent: the public one). */
export const LOCAL_HOST_HEADER = 'gatehouse-local-host';

/** Request header naming the tunnel the agent connects as. */
export const TUNNEL_HEADER = 'gatehouse-tunnel';
/** Request header with the agent's version, for the audit trail. */
export const AGENT_HEADER = 'gatehouse-agent';
/** Response header (on the 101) with the tunnel's public URL. */
export const PUBLIC_URL_HEADER = 'gatehouse-public-url';
/** (Protocol 1) Header on an upgrade stream: the protocol the client asks the local server to switch to. */
export const UPGRADE_HEADER = 'gatehouse-upgrade';
/** (Protocol 1) Response header on an upgrade stream: the local server switched, raw bytes follow. */
export const SWITCHED_HEADER = 'gatehouse-switched';
/** Header on every stream with the edge's id for the request, shown by the agent's inspector. */
export const REQUEST_ID_HEADER = 'gatehouse-request-id';
/** What every header of the protocol's starts with; a public client's own such headers are dropped. */
export const PROTOCOL_HEADER_PREFIX = 'gatehouse-';
/** Header on the agent's upgrade (value `tls`) and on each passthrough stream. */
export const PASSTHROUGH_HEADER = 'gatehouse-passthrough';
/** Response header (on the 101) with the `host:port` TLS clients reach the tunnel's local TLS server at. */
export const PASSTHROUGH_ADDRESS_HEADER = 'gatehouse-passthrough-address';
