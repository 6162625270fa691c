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
