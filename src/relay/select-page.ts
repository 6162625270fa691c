import { messagePage, PAGE_CSP } from '../http/html-page.ts';

/** Where the select page's link goes: `next` when it is a path of this host, else the app's root. */
export function selectNext(next: string | undefined): string {
  // A path of this host only: `//evil.example` and `/\evil.example` would leave it.
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

/** True when the request came from a browser, which gets a page rather than JSON. */
export function wantsPage(accept: string | undefined): boolean {
  return /\btext\/html\b/i.test(accept ?? '');
}

/** How long the cookie lasts, in words: `15 minutes`, `2 hours`, `90 seconds`. */
export function durationWords(seconds: number): string {
  const [amount, unit] =
    seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds % 60 === 0
        ? [seconds / 60, 'minute']
        : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/**
 * The page `GET /select?developer=…` shows a browser: what the cookie now does, for how long, and
 * a link on to the app, which is where the developer was going.
 */
export function selectPage(options: {
  readonly developer: string;
  readonly host: string;
  readonly ttlSeconds: number;
  readonly next: string;
}): { readonly html: string; readonly headers: Readonly<Record<string, string>> } {
  const html = messagePage(
    `This browser now reaches ${options.developer}'s app`,
    `For the next ${durationWords(options.ttlSeconds)}, requests from this browser to ${options.host} ` +
      `go to developer ${options.developer}'s machine through the relay. Open this page again to ` +
      'renew it; clear the gatehouse_dev_proxy cookie to reach the deployed app instead.',
    { href: options.next, label: 'Open the app' },
  );
  return { html, headers: { 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' } };
}
