import { z } from 'zod';

/**
 * The settings of each durable sink, as they appear under `telemetry.sinks` in the config file.
 * Validated once at start, so a sink never meets a malformed URL or name at write time.
 */

/** How long one `write` may wait for the broker before it rejects and the vehicle's ack is withheld. */
const writeTimeoutMs = z.coerce
  .number()
  .int()
  .min(50, 'must be at least 50 ms')
  .max(60_000, 'must be at most 60000 ms: the vehicle waits for the ack meanwhile')
  .default(5_000);

const urlWithScheme = (schemes: readonly string[], example: string) =>
  z.string().refine((s) => URL.canParse(s) && schemes.includes(new URL(s).protocol.slice(0, -1)), {
    message: `must be a ${schemes.map((scheme) => `${scheme}://`).join(' or ')} URL, such as ${example}`,
  });

/** `redis`: one Redis Stream per record type, `<namespace>_<type>` (Tesla's naming, e.g. `tesla_V`). */
export const redisSinkSettings = z
  .object({
    url: urlWithScheme(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
    namespace: z
      .string()
      .regex(
        /^[A-Za-z0-9_.:-]{1,64}$/,
        'must be 1 to 64 letters, digits or _ . : - (the streams are <namespace>_V …)',
      )
      .default('tesla'),
    /** Trims each stream to about this many entries (`XADD MAXLEN ~`); unbounded when absent. */
    maxLen: z.coerce.number().int().min(1, 'must be a positive number of entries').optional(),
    writeTimeoutMs,
  })
  .strict();

/** `nats`: JetStream subjects `<subjectPrefix>.<type>.<vin>`, captured by one stream made on start. */
export const natsSinkSettings = z
  .object({
    servers: z.preprocess(
      (value) =>
        typeof value === 'string'
          ? value
              .split(',')
              .map((server) => server.trim())
              .filter(Boolean)
          : value,
      z
        .array(
          z.string().refine((s) => URL.canParse(s.includes('://') ? s : `nats://${s}`), {
            message: 'must be a NATS server such as nats://127.0.0.1:4222',
          }),
        )
        .min(1, 'must name at least one NATS server, such as nats://127.0.0.1:4222'),
    ),
    stream: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a JetStream stream name: letters, digits, _ and - only')
      .default('TESLA_TELEMETRY'),
    subjectPrefix: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
        'must be NATS subject tokens separated by dots, without * or >, such as tesla',
      )
      .default('tesla'),
    writeTimeoutMs,
  })
  .strict();

/** `mqtt`: Tesla's topic layout under `topicBase`, published with QoS 1 or 2 so the broker acknowledges. */
export const mqttSinkSettings = z
  .object({
    url: urlWithScheme(['mqtt', 'mqtts', 'ws', 'wss'], 'mqtt://127.0.0.1:1883'),
    topicBase: z
      .string()
      .regex(/^[^+#/]+(\/[^+#/]+)*$/, 'must be MQTT topic levels without + or #, such as telemetry')
      .refine((base) => !base.includes('\0'), { message: 'must not contain a NUL character' })
      .default('telemetry'),
    qos: z.coerce
      .number()
      .pipe(
        z.union([z.literal(1), z.literal(2)], {
          error: 'must be 1 or 2: with QoS 0 the broker never confirms, so no ack could wait for it',
        }),
      )
      .default(1),
    /** Retain every message (alerts' `current` topics are retained regardless). */
    retained: z.boolean().default(false),
    /** Unique per node, or two nodes keep disconnecting each other; random when absent. */
    clientId: z.string().min(1).max(128).optional(),
    writeTimeoutMs,
  })
  .strict();

/** Validated `redis` sink settings. */
export type RedisSinkSettings = z.infer<typeof redisSinkSettings>;
/** Validated `nats` sink settings. */
export type NatsSinkSettings = z.infer<typeof natsSinkSettings>;
/** Validated `mqtt` sink settings. */
export type MqttSinkSettings = z.infer<typeof mqttSinkSettings>;

/** Each durable sink's settings schema, by the name the config's `records` map uses. */
export const SINK_SETTINGS = {
  redis: redisSinkSettings,
  nats: natsSinkSettings,
  mqtt: mqttSinkSettings,
} as const;
