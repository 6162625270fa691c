import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';

/** What a sink is given besides its settings: where to log its broker's state, and the time. */
export interface SinkDeps {
  readonly logger: Logger;
  readonly clock: Clock;
}
