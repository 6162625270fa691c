import type { TelemetryFeed } from '../telemetry-feed.ts';

/** A feed with no vehicles: what the dashboard shows on a node that runs no receiver. */
export const EMPTY_FEED: TelemetryFeed = {
  subscribe: () => () => {},
  snapshot: async () => [],
};
