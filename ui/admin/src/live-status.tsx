import type { LiveState } from './live.ts';

const TEXT: Record<LiveState, string> = {
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  closed: 'not live',
};

/** Where a page's live stream stands, in words, announced as it changes; `data-live` names the state. */
export function LiveStatus({ state }: { state: LiveState }) {
  return (
    <span class="live" role="status" data-live={state}>
      {TEXT[state]}
    </span>
  );
}
