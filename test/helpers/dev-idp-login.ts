import { serveEnvironment } from '../../src/cli/dev-idp-command.ts';
import { type DevIdp, startDevIdp } from '../../src/dev-idp/dev-idp.ts';
import { DEFAULT_PEOPLE, peopleBySub } from '../../src/dev-idp/people.ts';
import { formFields } from './html-forms.ts';
import type { BrowserAnswer, HttpBrowser } from './http-browser.ts';

/**
 * A person at a browser opens `start` (a protected page, `/tunnels`), meets Gatehouse's login page,
 * continues with the stand-in issuer (`gatehouse dev-idp` at `issuer`) and picks `sub` there.
 * Gives the last answer: the page asked for, or the refusal. Fails when a step is not as described.
 */
export async function logInAtStandIn(
  browser: HttpBrowser,
  start: string,
  issuer: string,
  sub: string,
): Promise<BrowserAnswer> {
  const loginPage = await browser.navigate(start);
  const link = /href="([^"]*\/start\/oidc)"/.exec(loginPage.text)?.[1];
  if (!link)
    throw new Error(`no OIDC login offered at ${loginPage.url.href}: ${loginPage.text.slice(0, 500)}`);
  const picker = await browser.navigate(new URL(link.replaceAll('&amp;', '&'), loginPage.url));
  if (picker.url.origin !== issuer)
    throw new Error(`the login went to ${picker.url.href}, not to the stand-in at ${issuer}`);
  const { action } = formFields(picker.text, 'login');
  return browser.navigate(new URL(action, picker.url), { form: { user: sub } });
}

/** `gatehouse dev-idp` with its defaults (its people, the redirect URI its banner prints), on a port of its own. */
export function startStandIn(): Promise<DevIdp> {
  return startDevIdp({
    host: '127.0.0.1',
    port: 0,
    people: peopleBySub(DEFAULT_PEOPLE),
    redirectUris: ['http://localhost:8080/login/callback/oidc'],
    dataDir: ':memory:',
  });
}

/** The environment the stand-in prints for `gatehouse serve`, as variables. */
export function standInEnvironment(idp: DevIdp): Record<string, string> {
  return Object.fromEntries(
    serveEnvironment(idp).map((line) => {
      const [, name, value] = /^export (\w+)=(.*)$/.exec(line)!;
      return [name!, value!.replace(/^'(.*)'$/, '$1')];
    }),
  );
}
