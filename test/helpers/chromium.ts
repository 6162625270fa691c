import { type Browser, chromium } from 'playwright-core';

/** The flags every browser test runs Debian's Chromium with. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * Debian's Chromium, headless. `hosts` (a host-resolver pattern such as `*.test`) are this
 * machine, for tests whose pages live on names no DNS knows.
 */
export function launchChromium(hosts?: string): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...FLAGS, ...(hosts ? [`--host-resolver-rules=MAP ${hosts} 127.0.0.1`] : [])],
  });
}
