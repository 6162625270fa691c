import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';

/** Logs a broker connection's transitions, once each, however often the client retries. */
export interface BrokerStateLog {
  /** The connection is usable (again). */
  up(): void;
  /** The connection was lost or could not be made. */
  down(error?: unknown): void;
}

/**
 * One warning when a sink's broker goes away and one line when it is back, with how long it was
 * gone: a reconnect loop must not write a line per attempt. Never logs URLs (they carry passwords).
 */
export function brokerStateLog(sink: string, logger: Logger, clock: Clock): BrokerStateLog {
  let downSince: number | undefined;
  let everUp = false;
  return {
    up() {
      if (downSince !== undefined) {
        logger.info({ sink, downMs: clock() - downSince }, 'telemetry sink reconnected');
      } else if (!everUp) {
        logger.info({ sink }, 'telemetry sink connected');
      }
      downSince = undefined;
      everUp = true;
    },
    down(error) {
      if (downSince !== undefined) return;
      downSince = clock();
      const reason =
        error instanceof Error ? error.message : error === undefined ? 'connection closed' : String(error);
      logger.warn(
        { sink, reason },
        'telemetry sink cannot reach its broker; records are not acked until it returns',
      );
    },
  };
}
