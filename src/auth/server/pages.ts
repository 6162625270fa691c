/** The authorization server's own pages: login choice, device code, errors. Plain HTML, no scripts. */
import { escapeHtml } from '../../http/html-page.ts';

/** Escapes text for HTML element content and quoted attributes. */
export const html = escapeHtml;

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}' +
  'a.provider,button{display:block;margin:.5rem 0;padding:.6rem 1rem;border:1px solid #888;border-radius:6px;' +
  'background:#f6f6f6;color:#222;text-decoration:none;font-size:1rem;width:100%;text-align:left}' +
  'input{font-size:1.4rem;padding:.4rem;width:100%;box-sizing:border-box;text-transform:uppercase}.error{color:#b00}';

/** A whole page around `body`. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${html(title)}</title><style>${STYLE}</style></head><body><h1>${html(title)}</h1>${body}</body></html>`;
}

/** The login page: one link per upstream provider. */
export function loginPage(client: string, choices: readonly { label: string; href: string }[]): string {
  const links = choices.length
    ? choices
        .map((c) => `<a class="provider" href="${html(c.href)}">Continue with ${html(c.label)}</a>`)
        .join('')
    : '<p class="error">No login provider is configured: the operator needs to set GITHUB_CLIENT_ID, GITLAB_CLIENT_ID or an OIDC issuer.</p>';
  return page('Log in', `<p>${html(client)} asks you to log in.</p>${links}`);
}

/** The device flow's code entry page around oidc-provider's form. */
export function userCodeInputPage(form: string, problem: string | undefined): string {
  const message = problem
    ? `<p class="error">${html(problem)}</p>`
    : '<p>Enter the code your device shows.</p>';
  return page(
    'Connect a device',
    `${message}${form}<button type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

/** The device flow's confirmation page: the user checks the code matches the device's. */
export function userCodeConfirmPage(form: string, client: string, userCode: string): string {
  return page(
    'Confirm the device',
    `<p><strong>${html(client)}</strong> asks to connect. Check that your device shows <code>${html(userCode)}</code>.</p>${form}` +
      '<button type="submit" form="op.deviceConfirmForm">Continue</button>' +
      '<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Abort</button>',
  );
}

/** Shown once a device is connected. */
export function deviceSuccessPage(client: string): string {
  return page('Device connected', `<p>${html(client)} is now logged in. You can close this page.</p>`);
}

/** An OAuth error shown to the person (no redirect was possible). */
export function errorPage(fields: Readonly<Record<string, unknown>>): string {
  const rows = Object.entries(fields)
    .filter(([, v]) => typeof v === 'string')
    .map(([k, v]) => `<p><strong>${html(k)}</strong>: ${html(String(v))}</p>`)
    .join('');
  return page('Login failed', rows);
}
