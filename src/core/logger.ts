import { type DestinationStream, type Logger, pino } from 'pino';

/** Log levels accepted by `--log-level`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The process logger: one JSON object per line. Authorization and cookie headers are redacted
 * wherever they appear, as a second line of defence behind not logging them at all.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          '*.authorization',
          '*.cookie',
          '*.headers.authorization',
          '*.headers.cookie',
          '*.secret',
          'secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** How long a log line may wait in the buffer before it is written. */
export const LOG_FLUSH_MS = 250;

/**
 * Standard output with a small write buffer: at thousands of access-log lines a second, one write
 * per line costs more than the rest of the logging. Lines leave when 4 KiB have gathered, at most
 * {@link LOG_FLUSH_MS} later, and on exit (pino flushes asynchronous destinations then).
 */
export function bufferedStdout(): DestinationStream & { flushSync(): void } {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => destination.flush(), LOG_FLUSH_MS).unref();
  return destination;
}

export type { Logger };
