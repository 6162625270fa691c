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

export type { Logger };
