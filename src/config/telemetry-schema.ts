import { z } from 'zod';
import { hostPattern } from '../routes/route.ts';
import { SINK_SETTINGS } from '../telemetry/sinks/sink-settings.ts';

const port = z.coerce.number().int().min(0).max(65535);

/** Record types a vehicle sends (and `connectivity`, which the receiver makes). */
const RECORD_TYPES = ['V', 'alerts', 'errors', 'connectivity'] as const;

/** A sink's name in `records`: `store`, `logger`, `redis`, `nats`, `mqtt`, or one a plug-in adds. */
const sinkName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be a sink name such as store, redis or nats');

const sinkList = z
  .array(sinkName)
  .refine((names) => new Set(names).size === names.length, { message: 'names a sink twice' });

/** Which sinks each record type goes to. */
const records = z
  .object({
    V: sinkList.default(['store']),
    alerts: sinkList.default(['store']),
    errors: sinkList.default(['store']),
    connectivity: sinkList.default(['store']),
  })
  .strict()
  .default({ V: ['store'], alerts: ['store'], errors: ['store'], connectivity: ['store'] });

/** The Fleet Telemetry receiver: the vehicles' mTLS WebSocket listener and where records go. */
export const telemetryConfig = z
  .object({
    /** Off unless given. */
    port: port.optional(),
    host: z.string().min(1).optional(),
    /**
     * The server's certificate chain (PEM): the `ca` of the vehicles' config must lead to it; `auto`
     * for one by ACME for `name` (ACME must be on).
     */
    cert: z.string().min(1).optional(),
    /** The name vehicles connect to (the `hostname` of their config); with `cert: auto`, the name certified. */
    name: hostPattern.refine((d) => !d.includes('*'), { message: 'must be a plain host name' }).optional(),
    key: z.string().min(1).optional(),
    /** The CAs vehicle certificates must chain to (Tesla's bundle, or a simulator's CA). */
    ca: z.string().min(1).optional(),
    records,
    /** Per record type, the one durable sink whose confirmation the ack waits for. */
    reliableAck: z
      .object({ V: sinkName.optional(), alerts: sinkName.optional(), errors: sinkName.optional() })
      .strict()
      .default({}),
    /** Per connection: more than `messages` within `intervalSeconds` are dropped without an ack. */
    rateLimit: z
      .object({
        messages: z.coerce.number().int().min(1).max(1_000_000),
        intervalSeconds: z.coerce.number().min(0.001).max(86_400).default(30),
      })
      .strict()
      .optional(),
    history: z
      .object({
        /** Samples kept per vehicle. */
        perVin: z.coerce.number().int().min(0).max(100_000).default(120),
        /** Values within this many seconds make one sample. */
        intervalSeconds: z.coerce.number().min(0).max(86_400).default(5),
        /** Recent errors kept per vehicle. */
        errorsPerVin: z.coerce.number().int().min(0).max(10_000).default(20),
        /** A vehicle silent this long drops out of the store. */
        retentionDays: z.coerce.number().min(0.0001).max(3650).default(30),
      })
      .strict()
      .default({ perVin: 120, intervalSeconds: 5, errorsPerVin: 20, retentionDays: 30 }),
    /** Longest a state change waits in memory before it is written to the store. */
    flushMs: z.coerce.number().int().min(1).max(60_000).default(1000),
    /** Messages of one connection being dispatched at once; beyond it, reading pauses. */
    maxInFlight: z.coerce.number().int().min(1).max(100_000).default(256),
    /** Settings of the broker sinks, by sink name (`redis`, `nats`, `mqtt`). */
    sinks: z
      .object({
        redis: SINK_SETTINGS.redis.optional(),
        nats: SINK_SETTINGS.nats.optional(),
        mqtt: SINK_SETTINGS.mqtt.optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((t, ctx) => {
    const auto = t.cert === 'auto';
    if (auto && t.name === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'is required with cert: auto: the name vehicles connect to, to certify',
      });
    if (auto && t.key !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: 'comes with the certificate with cert: auto; leave it out',
      });
    if (t.port !== undefined) {
      for (const file of ['cert', 'key', 'ca'] as const) {
        if (t[file] === undefined && !(auto && file === 'key'))
          ctx.addIssue({
            code: 'custom',
            path: [file],
            message: `is required with telemetry.port: ${FILE_HINT[file]}`,
          });
      }
    }
    for (const broker of ['redis', 'nats', 'mqtt'] as const) {
      const user = RECORD_TYPES.find((type) => t.records[type].includes(broker));
      if (user !== undefined && t.sinks[broker] === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['sinks', broker],
          message: `is required, since records.${user} names ${broker}; give at least its ${broker === 'nats' ? 'servers' : 'url'}`,
        });
    }
    for (const type of ['V', 'alerts', 'errors'] as const) {
      const sink = t.reliableAck[type];
      if (sink !== undefined && !t.records[type].includes(sink))
        ctx.addIssue({
          code: 'custom',
          path: ['reliableAck', type],
          message: `names ${sink}, which records.${type} does not list; add it there or choose one of ${t.records[type].join(', ') || '(none)'}`,
        });
    }
  });

const FILE_HINT = {
  cert: 'the server certificate chain (PEM), --telemetry-cert or TLS_CERT_PATH',
  key: 'its private key (PEM), --telemetry-key or TLS_KEY_PATH',
  ca: "the CA bundle vehicle certificates must chain to, --telemetry-ca or TLS_CA_PATH (Tesla's, or the simulator's CA)",
} as const;

/** The receiver's settings after validation. */
export type TelemetryConfig = z.infer<typeof telemetryConfig>;

/** The record types, in the order they are listed. */
export const TELEMETRY_RECORD_TYPES = RECORD_TYPES;
