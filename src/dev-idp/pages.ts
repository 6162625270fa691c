import { escapeHtml, page } from '../http/html-page.ts';
import type { Person } from './people.ts';

/** Said on every page and at start: what this is, and why it must never face real users. */
export const STAND_IN_WARNING =
  'For development only: this stand-in login (gatehouse dev-idp) has no passwords, and anyone who ' +
  'can reach it can log in as anyone listed. Never let a real deployment trust it.';

const warning = `<p class="problem" id="stand-in"><strong>${escapeHtml(STAND_IN_WARNING)}</strong></p>`;

function peopleRows(people: Iterable<Person>, action: (p: Person) => string): string {
  const rows = [...people].map(
    (p) =>
      `<tr><td>${action(p)}</td><td><code>${escapeHtml(p.sub)}</code></td><td>${escapeHtml(p.name ?? '')}</td>` +
      `<td>${escapeHtml(p.email ?? '')}${p.email && !p.email_verified ? ' <span class="muted">(not verified)</span>' : ''}</td>` +
      `<td>${escapeHtml(p.groups.join(', '))}</td></tr>`,
  );
  return `<table><tr><th></th><th>sub</th><th>name</th><th>email</th><th>groups</th></tr>${rows.join('')}</table>`;
}

/** The login page: one button per person, and a way to refuse. */
export function pickerPage(uid: string, client: string, people: Iterable<Person>): string {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  const button = (p: Person) =>
    `<button name="user" value="${escapeHtml(p.sub)}">Log in as ${escapeHtml(p.preferred_username)}</button>`;
  return page(
    'Log in (stand-in)',
    `<h1>Who are you?</h1>${warning}<p>${escapeHtml(client)} asks who you are. Pick a person:</p>` +
      `<form id="login" method="post" action="${base}/login">${peopleRows(people, button)}</form>` +
      `<form id="refuse" method="post" action="${base}/abort"><p><button>Refuse: log in as nobody</button></p></form>`,
  );
}

/** What the issuer's own address shows: that it is a stand-in, where clients discover it, its people. */
export function homePage(issuer: string, people: Iterable<Person>): string {
  const discovery = `${issuer}/.well-known/openid-configuration`;
  return page(
    'gatehouse dev-idp',
    `<h1>Stand-in OpenID Connect issuer</h1>${warning}` +
      `<p>Issuer <code>${escapeHtml(issuer)}</code>; clients discover it at ` +
      `<a href="${escapeHtml(discovery)}">${escapeHtml(discovery)}</a>. Its people:</p>` +
      peopleRows(people, (p) => escapeHtml(p.preferred_username)),
  );
}

/** A page that says what went wrong and what to do. */
export function problemPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>${warning}<p id="message">${escapeHtml(message)}</p>`);
}
