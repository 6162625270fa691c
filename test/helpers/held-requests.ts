import type { IncomingMessage, ServerResponse } from 'node:http';

/** An upstream handler that holds requests until the test releases them. */
export interface HeldRequests {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Resolves once the first request has reached the handler. */
  readonly arrived: Promise<void>;
  /** Lets every held request, and any later one, be answered by `answer`. */
  release(): void;
}

/** Holds each request until {@link HeldRequests.release}, so a test decides when it is answered. */
export function holdRequests(answer: (res: ServerResponse) => void): HeldRequests {
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const handler = (_req: IncomingMessage, res: ServerResponse) => {
    arrive();
    released.then(() => answer(res));
  };
  return { handler, arrived, release };
}
