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
];
