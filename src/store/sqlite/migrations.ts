/**
 * Schema migrations for the embedded store, applied in order. The index + 1 is the schema version
 * recorded in `PRAGMA user_version`. Never edit a migration that has shipped: append a new one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE routes (
     id TEXT PRIMARY KEY,
     created_at TEXT NOT NULL,
     data TEXT NOT NULL
   );
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL,
     revoked_at TEXT,
     data TEXT NOT NULL
   );`,
  `CREATE TABLE tunnels (
     name TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     created_at TEXT NOT NULL,
     data TEXT NOT NULL
   );
   CREATE TABLE tunnel_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     tunnel TEXT NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX tunnel_events_by_tunnel ON tunnel_events (tunnel, seq);`,
  `CREATE TABLE ephemeral (
     namespace TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (namespace, key)
   );
   CREATE INDEX ephemeral_by_expiry ON ephemeral (expires_at);`,
  // v4: routes, API keys and tunnels move into the generic collections.
  `CREATE TABLE records (
     collection TEXT NOT NULL,
     key TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (collection, key)
   );
   CREATE TABLE record_keys (
     collection TEXT NOT NULL,
     idx TEXT NOT NULL,
     value TEXT NOT NULL,
     key TEXT NOT NULL,
     PRIMARY KEY (collection, idx, value)
   );
   CREATE INDEX record_keys_by_key ON record_keys (collection, key);
   INSERT INTO records (collection, key, data) SELECT 'routes', id, data FROM routes;
   INSERT INTO records (collection, key, data) SELECT 'apikeys', id, data FROM api_keys;
   INSERT INTO record_keys (collection, idx, value, key) SELECT 'apikeys', 'byhash', hash, id FROM api_keys;
   INSERT INTO records (collection, key, data) SELECT 'tunnels', name, data FROM tunnels;
   DROP TABLE routes;
   DROP TABLE api_keys;
   DROP TABLE tunnels;`,
  // v5: every route names its kind; routes from before kinds are relays or proxies.
  `UPDATE records SET data = json_set(data, '$.kind',
     CASE WHEN json_type(data, '$.relay') = 'object' THEN 'relay' ELSE 'proxy' END)
   WHERE collection = 'routes' AND json_type(data, '$.kind') IS NULL;`,
  // v6: the request log. Only time is indexed: every index costs each of the edge's requests a
  // B-tree write (about 0.7 µs each, measured), while the other filters read newest first by
  // seq and stop at the page's end, over a table whose size retention caps.
  `CREATE TABLE requests (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL,
     at INTEGER NOT NULL,
     method TEXT NOT NULL,
     host TEXT NOT NULL,
     path TEXT NOT NULL,
     status INTEGER NOT NULL,
     duration_ms REAL NOT NULL,
     bytes_in INTEGER NOT NULL,
     bytes_out INTEGER NOT NULL,
     ip TEXT NOT NULL,
     user TEXT,
     route TEXT,
     tunnel TEXT,
     user_agent TEXT,
     error TEXT
   );
   CREATE INDEX requests_by_at ON requests (at);`,
];
