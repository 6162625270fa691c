import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { type ExpiringSpec, expiringCollection } from '../../store/expiring.ts';
import type { EphemeralRepository } from '../../store/types.ts';
import type { VehicleState } from './vehicle-state.ts';

/**
 * Each running receiver's lease, by node id. A vehicle's `CONNECTED` names the receiver holding
 * its socket, and holds only while that receiver's lease lives: a node that dies without closing
 * its connections (kill -9, a lost machine) stops renewing, and within {@link RECEIVER_LEASE_MS}
 * every node reads its vehicles as disconnected, however many nodes share the store.
 */
export const RECEIVER_LEASES: ExpiringSpec<{ readonly since: number }> = { name: 'telemetry-receivers' };

/** How long a receiver's lease lasts unrenewed; it is renewed every third of that. */
export const RECEIVER_LEASE_MS = 15_000;

/** The nodes whose receivers hold a live lease. */
export async function liveReceivers(ephemeral: EphemeralRepository): Promise<Set<string>> {
  return new Set((await expiringCollection(ephemeral, RECEIVER_LEASES).list()).map((lease) => lease.key));
}

/**
 * The state as it stands: `CONNECTED` only when a live receiver holds the connection. A state
 * from a receiver that is gone (or written before states named their receiver) is `DISCONNECTED`;
 * `statusChangedAt` stays when the connection was last seen changing.
 */
export function heldConnection(state: VehicleState, live: ReadonlySet<string>): VehicleState {
  if (state.status !== 'CONNECTED') return state;
  if (state.receiver !== undefined && live.has(state.receiver)) return state;
  return { ...state, status: 'DISCONNECTED' };
}

/** A receiver's lease, renewed while it runs. */
export interface ReceiverLease {
  /** Stops renewing and gives the lease up: this node's vehicles read as disconnected at once. */
  stop(): Promise<void>;
}

/**
 * Takes this node's receiver lease and renews it every third of its life. A failed write is
 * logged and tried again on the next turn; the receiver starts even while the store is away.
 */
export async function holdReceiverLease(
  ephemeral: EphemeralRepository,
  node: string,
  deps: { readonly clock: Clock; readonly logger: Logger; readonly leaseMs?: number },
): Promise<ReceiverLease> {
  const leases = expiringCollection(ephemeral, RECEIVER_LEASES);
  const leaseMs = deps.leaseMs ?? RECEIVER_LEASE_MS;
  const since = deps.clock();
  let failing = false;
  let stopped = false;
  let renewing: Promise<void> | undefined;
  const write = async () => {
    if (stopped) return;
    try {
      await leases.put(node, { since }, leaseMs);
      if (failing) deps.logger.info('the telemetry receiver lease is written to the store again');
      failing = false;
    } catch (error) {
      if (!failing)
        deps.logger.warn(
          { err: error },
          'renewing the telemetry receiver lease failed: other nodes read its vehicles as disconnected until it is written',
        );
      failing = true;
    }
  };
  // One write at a time, so a slow store cannot put a lease back after it was given up.
  const renew = () => {
    renewing ??= write().finally(() => {
      renewing = undefined;
    });
    return renewing;
  };
  await renew();
  const timer = setInterval(renew, Math.max(1, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await renewing;
      await leases.delete(node).catch(() => {});
    },
  };
}
