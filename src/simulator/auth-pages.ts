import { escapeHtml, hidden, htmlPage } from './html.ts';

/** What each scope lets an app do, as the consent page says it. */
const SCOPE_TEXT: Readonly<Record<string, string>> = {
  openid: 'Sign you in with your Tesla account',
  offline_access: 'Keep access while you are away (refresh tokens)',
  user_data: 'See your profile',
  vehicle_device_data: 'See vehicle information and live data',
  vehicle_location: 'See vehicle location',
  vehicle_cmds: 'Send commands to your vehicles',
  vehicle_charging_cmds: 'Manage charging',
  energy_device_data: 'See energy products',
  energy_cmds: 'Control energy products',
};

/** The sign-in form of an authorize request. */
export function loginPage(input: {
  action: string;
  requestId?: string;
  formToken: string;
  appName: string;
  email?: string;
  error?: string;
}): string {
  return htmlPage(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(input.appName)}</strong></p>
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(input.action)}">
${input.requestId ? hidden('request_id', input.requestId) : ''}
${hidden('form_token', input.formToken)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(input.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** The consent page listing the requested scopes. */
export function consentPage(input: {
  requestId: string;
  formToken: string;
  appName: string;
  email: string;
  scopes: readonly string[];
}): string {
  const items = input.scopes
    .map((s) => `<li><code>${escapeHtml(s)}</code>: ${escapeHtml(SCOPE_TEXT[s] ?? s)}</li>`)
    .join('\n');
  return htmlPage(
    'Allow access',
    `<h1>Allow ${escapeHtml(input.appName)} access?</h1>
<p>Signed in as ${escapeHtml(input.email)}. ${escapeHtml(input.appName)} asks to:</p>
<ul>
${items || '<li>(no scopes requested)</li>'}
</ul>
<form method="post" action="/oauth2/v3/authorize/consent">
${hidden('request_id', input.requestId)}
${hidden('form_token', input.formToken)}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

/** A page for an authorize request that cannot go back to the app (bad client or redirect URI). */
export function authorizeErrorPage(title: string, message: string): string {
  return htmlPage(
    title,
    `<h1>${escapeHtml(title)}</h1>\n<p class="error" role="alert">${escapeHtml(message)}</p>`,
  );
}
