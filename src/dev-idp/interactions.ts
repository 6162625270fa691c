import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { readBoundedBody } from '../core/bounded-body.ts';
import { sendPage } from '../http/html-page.ts';
import { INTERACTION_PATH, PERSON_CLAIMS } from './issuer-config.ts';
import { pickerPage, problemPage } from './pages.ts';
import type { Person } from './people.ts';

/** What the login pages work with. */
export interface InteractionDeps {
  readonly provider: Provider;
  readonly people: ReadonlyMap<string, Person>;
  readonly onLogin?: ((person: Person, clientId: string) => void) | undefined;
}

const EXPIRED = 'This login has expired or was already finished: go back to the application and start again.';

/**
 * The login interaction: the page where one picks a person (`GET /interaction/<uid>`), the pick
 * (`POST …/login` with `user=<sub>`), which logs that person in and grants what was asked, and the
 * refusal (`POST …/abort`). The interaction cookie, sent only with same-site posts, binds each to
 * the browser that started the login.
 */
export async function handleInteraction(
  deps: InteractionDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const match = new RegExp(`^${INTERACTION_PATH}/([\\w-]+)(?:/(login|abort))?$`).exec(path);
  const step = match?.[2];
  if (!match || (step ? req.method !== 'POST' : req.method !== 'GET'))
    return sendPage(res, 404, problemPage('Not found', 'There is no such login page.'));
  let details: Awaited<ReturnType<Provider['interactionDetails']>>;
  try {
    details = await deps.provider.interactionDetails(req, res);
  } catch {
    return sendPage(res, 400, problemPage('Login expired', EXPIRED));
  }
  if (details.uid !== match[1]) return sendPage(res, 400, problemPage('Login expired', EXPIRED));
  const clientId = String(details.params['client_id']);
  if (!step) return sendPage(res, 200, pickerPage(details.uid, clientId, deps.people.values()));
  if (step === 'abort')
    return deps.provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'the person refused to log in',
    });
  const form = new URLSearchParams((await readBoundedBody(req, 4096)).toString('utf8'));
  const person = deps.people.get(form.get('user') ?? '');
  if (!person)
    return deps.provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'no such person at the stand-in issuer',
    });
  // A grant of its own for each login: the person picked may not be the one logged in before.
  const grant = new deps.provider.Grant({ accountId: person.sub, clientId });
  grant.addOIDCScope(String(details.params['scope'] ?? 'openid'));
  grant.addOIDCClaims([...PERSON_CLAIMS]);
  const grantId = await grant.save();
  deps.onLogin?.(person, clientId);
  await deps.provider.interactionFinished(req, res, {
    login: { accountId: person.sub },
    consent: { grantId },
  });
}
