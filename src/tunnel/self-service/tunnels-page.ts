import { escapeHtml, page } from '../../http/html-page.ts';
import type { TunnelEvent } from '../../store/types.ts';
import type { TunnelView } from '../server/tunnel-service.ts';

/** Who is looking at the page, and what the forms need. */
export interface PageViewer {
  readonly login: string;
  readonly admin: boolean;
  readonly csrf: string;
  /** This Gatehouse's public origin, for the commands shown. */
  readonly server: string;
}

/** A key shown once, after it was made. */
export interface FreshKey {
  readonly tunnel: string;
  readonly key: string;
}

const csrfField = (viewer: PageViewer) =>
  `<input type="hidden" name="csrf" value="${escapeHtml(viewer.csrf)}">`;

function postButton(viewer: PageViewer, action: string, label: string, id: string): string {
  return (
    `<form method="post" action="${escapeHtml(action)}" style="display:inline">${csrfField(viewer)}` +
    `<button type="submit" id="${escapeHtml(id)}">${escapeHtml(label)}</button></form>`
  );
}

function tunnelRow(viewer: PageViewer, t: TunnelView): string {
  const path = `/tunnels/${encodeURIComponent(t.name)}`;
  return (
    `<tr class="tunnel" data-name="${escapeHtml(t.name)}"><td><a href="${escapeHtml(path)}">${escapeHtml(t.name)}</a></td>` +
    `<td><a href="${escapeHtml(t.url)}">${escapeHtml(t.url)}</a></td>` +
    `<td class="state">${t.online ? 'online' : 'offline'}</td><td><code>${escapeHtml(t.keyPrefix)}…</code></td>` +
    `<td>${postButton(viewer, `${path}/rotate-key`, 'New key', `rotate-${t.name}`)} ` +
    `${postButton(viewer, `${path}/delete`, 'Delete', `delete-${t.name}`)}</td></tr>`
  );
}

/** The commands that connect a tunnel, with its key or with a login. */
function connectHelp(viewer: PageViewer, fresh: FreshKey | undefined): string {
  const login =
    `<p>On your machine: <code>gatehouse login --server ${escapeHtml(viewer.server)}</code>, then ` +
    '<code>gatehouse tunnel 3000</code>. No key to copy.</p>';
  if (!fresh) return login;
  return (
    `<div id="fresh-key" class="vehicle"><p>The key of <strong>${escapeHtml(fresh.tunnel)}</strong>, shown this once:</p>` +
    `<p><code id="key">${escapeHtml(fresh.key)}</code></p>` +
    `<p>For CI, where nobody logs in: <code>gatehouse tunnel 3000 --server ${escapeHtml(viewer.server)} ` +
    `--name ${escapeHtml(fresh.tunnel)} --key ${escapeHtml(fresh.key)}</code>. An agent still using the old key is disconnected.</p></div>${login}`
  );
}

/** The person's tunnels, with forms to make one, give one a new key and delete one. */
export function tunnelsPage(
  viewer: PageViewer,
  tunnels: readonly TunnelView[],
  canCreate: boolean,
  fresh?: FreshKey,
): string {
  const rows = tunnels.map((t) => tunnelRow(viewer, t)).join('');
  const create = canCreate
    ? `<form method="post" action="/tunnels">${csrfField(viewer)}<label>Name (optional) ` +
      '<input name="name" pattern="[a-z0-9-]{1,63}" placeholder="readable random"></label> ' +
      '<button type="submit" id="create">New tunnel</button></form>'
    : '<p class="muted">You have as many tunnels as you may; delete one to make another.</p>';
  return page(
    'Your tunnels',
    `<p class="muted">Signed in as <strong id="who">${escapeHtml(viewer.login)}</strong>${viewer.admin ? ' (administrator: <a id="admin-app" href="/ui/">the admin app</a>)' : ''} · ` +
      `<a href="/.gatehouse/sign-out">Sign out</a></p><h1>Your tunnels</h1>` +
      connectHelp(viewer, fresh) +
      (rows
        ? `<table id="tunnels"><tr><th>Name</th><th>URL</th><th>State</th><th>Key</th><th></th></tr>${rows}</table>`
        : '<p id="no-tunnels">You have no tunnels.</p>') +
      create,
  );
}

/** One tunnel's audit trail: connections, disconnections and refused keys. */
export function tunnelEventsPage(viewer: PageViewer, name: string, events: readonly TunnelEvent[]): string {
  const rows = events
    .map(
      (e) =>
        `<tr class="event"><td>${escapeHtml(e.at)}</td><td>${escapeHtml(e.type)}</td><td>${escapeHtml(e.ip)}</td>` +
        `<td>${escapeHtml(e.agentVersion ?? '')}</td><td>${escapeHtml(e.reason ?? '')}</td></tr>`,
    )
    .join('');
  return page(
    `Tunnel ${name}`,
    `<p class="muted">Signed in as ${escapeHtml(viewer.login)} · <a href="/tunnels">Your tunnels</a></p>` +
      `<h1>${escapeHtml(name)}</h1><h2>Audit trail</h2>` +
      (rows
        ? `<table id="events"><tr><th>When</th><th>What</th><th>From</th><th>Agent</th><th>Why</th></tr>${rows}</table>`
        : '<p>Nothing yet: no agent has connected.</p>'),
  );
}
