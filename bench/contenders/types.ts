import type { Target } from '../lib/load.ts';
import type { Running } from '../lib/process.ts';

/** The paths a request can take from the load generator to the local server. */
export const CONTENDERS = [
  'direct',
  'gatehouse-edge',
  'gatehouse-tunnel',
  'nginx',
  'caddy',
  'ssh-tunnel',
  'localtunnel',
  'http-proxy-3',
] as const;
export type ContenderId = (typeof CONTENDERS)[number];

/** How each contender is named in reports. */
export const LABELS: Record<ContenderId, string> = {
  direct: 'direct',
  'gatehouse-edge': 'Gatehouse edge',
  'gatehouse-tunnel': 'Gatehouse tunnel',
  nginx: 'nginx',
  caddy: 'Caddy',
  'ssh-tunnel': 'ssh -R',
  localtunnel: 'localtunnel',
  'http-proxy-3': 'http-proxy-3',
};

/** What every contender's start-up gets: a scratch directory and the local server. */
export interface SetupContext {
  readonly dir: string;
  readonly originPort: number;
}

/** A contender ready for traffic. */
export interface Contender {
  readonly id: ContenderId;
  readonly target: Target;
  /** Processes of this contender whose memory the report shows, by role. */
  readonly processes: readonly { readonly role: string; readonly pid: number }[];
  readonly programs: readonly Running[];
}
