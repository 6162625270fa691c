import type { Logger } from '../../observability/logger.ts';
import type { Clock } from '../../util/clock.ts';

/** What a sink is given besides its settings: where to log its broker's state, and the time. */
export interface SinkDeps {
  readonly logger: Logger;
  readonly clock: Clock;
}
