/**
 * The inspector page's script: the live list with its filters, the detail of one exchange (bodies
 * pretty or raw, headers as tables, timing, the full URL, copy as curl) and replay, as it was or
 * edited. It takes this run's token from the URL's fragment (`#token=…`), keeps it for the tab,
 * and sends it with every API call.
 */
export const INSPECTOR_SCRIPT = `
let selected = null;
let detail = null;
let latest = [];
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const fromUrl = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromUrl) {
  sessionStorage.setItem('gatehouse-inspector-token', fromUrl);
  history.replaceState(null, '', location.pathname);
}
const token = sessionStorage.getItem('gatehouse-inspector-token');
function problem(text) {
  const box = $('problem');
  box.textContent = text;
  box.hidden = false;
  throw new Error(text);
}
async function api(path, init = {}) {
  if (!token) problem('Open the inspector with the address gatehouse tunnel printed: it ends in #token=…');
  const headers = { authorization: 'Bearer ' + token };
  if (init.body) headers['content-type'] = 'application/json';
  const res = await fetch(path, { ...init, headers });
  const body = res.status === 204 ? null : await res.json();
  if (res.status === 401) problem(body.message);
  return { res, body };
}
const clock = (iso) => new Date(iso).toLocaleTimeString(undefined, { hour12: false });
const moment = (iso) => {
  const at = new Date(iso);
  return at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' }) +
    ' (+' + String(at.getMilliseconds()).padStart(3, '0') + ' ms)';
};
const size = (n) => n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB';
function showTunnel(t) {
  document.title = t.name + ' · Gatehouse inspector';
  const link = /^https?:/.test(t.publicUrl || '') ? '<a href="' + esc(t.publicUrl) + '">' + esc(t.publicUrl) + '</a>' : '';
  const state = t.state === 'online' ? '● online' : '○ ' + t.state + (t.reason ? ' (' + t.reason + ')' : '');
  $('tunnel').innerHTML = '· ' + esc(t.name) + ' ' + link + ' → ' + esc(t.local) +
    ' <span class="' + esc(t.state) + '" title="since ' + esc(moment(t.since)) + '">' + esc(state) + '</span>';
}
function statusClass(r) {
  if (r.error || r.status === 0) return r.status === 0 ? 'pending' : 'error';
  return 's' + String(r.status)[0];
}
function matches(r) {
  const path = $('filter-path').value.trim().toLowerCase();
  const method = $('filter-method').value;
  const status = $('filter-status').value;
  if (path && !r.path.toLowerCase().includes(path)) return false;
  if (method && r.method !== method) return false;
  if (status === 'error') return Boolean(r.error) || r.status >= 500;
  if (status && String(r.status)[0] !== status[0]) return false;
  return true;
}
function renderRows() {
  const shown = latest.filter(matches);
  $('count').textContent = shown.length === latest.length ? latest.length + ' requests' : shown.length + ' of ' + latest.length + ' requests';
  $('empty').hidden = shown.length > 0;
  $('empty').textContent = latest.length ? 'No request matches the filters.' : 'No requests yet.';
  $('rows').innerHTML = shown.map((r) =>
    '<tr class="row' + (r.id === selected ? ' sel' : '') + '" data-id="' + esc(r.id) + '" tabindex="0">' +
    '<td title="' + esc(moment(r.startedAt)) + '">' + esc(clock(r.startedAt)) + '</td>' +
    '<td class="method">' + esc(r.method) + '</td>' +
    '<td class="path" title="' + esc(r.path) + '">' + (r.replayOf ? '<span class="badge">replay</span> ' : '') + esc(r.path) + '</td>' +
    '<td class="status ' + statusClass(r) + '">' + esc(r.status || '…') + '</td>' +
    '<td class="ms">' + esc(r.durationMs) + '</td></tr>').join('');
}
async function refresh() {
  const { tunnel, requests } = (await api('/api/requests')).body;
  showTunnel(tunnel);
  latest = requests;
  renderRows();
}
function headerTable(headers) {
  const rows = Object.entries(headers || {});
  if (!rows.length) return '<p class="muted">none</p>';
  return '<table class="headers"><tbody>' + rows.map(([k, v]) =>
    '<tr><th>' + esc(k) + '</th><td>' + esc(Array.isArray(v) ? v.join(', ') : v) + '</td></tr>').join('') + '</tbody></table>';
}
function pretty(body) {
  if (body.kind === 'empty') return '<p class="muted">no body</p>';
  if (body.kind === 'binary') return '<p class="muted">binary, ' + esc(size(body.total)) + (body.bytes < body.total ? ' (' + esc(size(body.bytes)) + ' kept)' : '') + ', shown as hex</p><pre class="hex">' + esc(body.hex) + '</pre>';
  const cut = body.bytes < body.total ? '<p class="muted">' + esc(size(body.bytes)) + ' of ' + esc(size(body.total)) + ' kept</p>' : '';
  if (body.kind === 'json') {
    try { return cut + '<pre class="json">' + esc(JSON.stringify(JSON.parse(body.text), null, 2)) + '</pre>'; } catch {}
  }
  if (body.kind === 'form') {
    const pairs = [...new URLSearchParams(body.text)];
    return cut + '<table class="headers form"><tbody>' + pairs.map(([k, v]) => '<tr><th>' + esc(k) + '</th><td>' + esc(v) + '</td></tr>').join('') + '</tbody></table>';
  }
  return cut + '<pre class="text">' + esc(body.text) + '</pre>';
}
function raw(bytes) {
  return bytes ? '<pre class="raw">' + esc(bytes.text) + '</pre>' : '<p class="muted">A replay is sent by the agent itself: no raw bytes crossed the tunnel.</p>';
}
function side(name, headers, body, rawBytes) {
  const label = body.kind === 'empty' ? 'no body' : body.kind + ', ' + size(body.total) + (body.contentType ? ' · ' + body.contentType : '');
  return '<section class="side" id="' + name + '"><h3>' + (name === 'request' ? 'Request' : 'Response') +
    ' <span class="muted">' + esc(label) + '</span>' +
    ' <span class="views"><button type="button" class="view" data-view="pretty" aria-pressed="true">Pretty</button>' +
    '<button type="button" class="view" data-view="raw" aria-pressed="false">Raw</button></span></h3>' +
    '<div class="pretty">' + headerTable(headers) + '<div class="body">' + pretty(body) + '</div></div>' +
    '<div class="raw-view" hidden>' + raw(rawBytes) + '</div></section>';
}
const quote = (s) => "'" + String(s).replace(/'/g, "'\\\\''") + "'";
function curl(r) {
  const parts = ['curl', '-X', r.method, quote(r.url || r.path)];
  for (const [k, v] of Object.entries(r.requestHeaders || {})) {
    if (['host', 'content-length', 'connection', 'gatehouse-replay-of'].includes(k)) continue;
    parts.push('-H', quote(k + ': ' + v));
  }
  if (r.requestBody.kind === 'binary') parts.push('--data-binary', '@body.bin');
  else if (r.requestBody.kind !== 'empty') parts.push('--data-binary', quote(r.requestBody.text));
  return parts.join(' ');
}
function editForm(r) {
  const headers = Object.entries(r.requestHeaders).filter(([k]) => k !== 'gatehouse-replay-of').map(([k, v]) => k + ': ' + v).join('\\n');
  return '<form id="edit-form" hidden><fieldset><legend>Replay with edits</legend>' +
    '<label>Method <input id="edit-method" value="' + esc(r.method) + '" size="8"></label> ' +
    '<label>Path <input id="edit-path" value="' + esc(r.path) + '" size="40"></label>' +
    '<label>Headers, one per line <textarea id="edit-headers" rows="6">' + esc(headers) + '</textarea></label>' +
    '<label>Body <textarea id="edit-body" rows="5"' + (r.requestBody.kind === 'binary' ? ' disabled placeholder="binary: sent as it was"' : '') + '>' + esc(r.requestBody.text) + '</textarea></label>' +
    '<button type="submit" id="send-edit">Send to the local server</button></fieldset></form>';
}
async function replay(id, edits) {
  const init = { method: 'POST' };
  if (edits) init.body = JSON.stringify(edits);
  const { res, body } = await api('/api/requests/' + encodeURIComponent(id) + '/replay', init);
  $('replayed').textContent = res.ok ? 'replayed → ' + body.status : body.message;
  $('replayed').className = res.ok ? 'ok' : 'failed';
  await refresh();
  if (res.ok) await show(body.id);
}
async function show(id) {
  selected = id;
  renderRows();
  const r = (await api('/api/requests/' + encodeURIComponent(id))).body;
  detail = r;
  $('detail').innerHTML =
    '<h2>' + (r.replayOf ? '<span class="badge">replay</span> ' : '') + esc(r.method) + ' <span class="path">' + esc(r.path) + '</span> → <span class="' + statusClass(r) + '">' + esc(r.status || '…') + '</span></h2>' +
    (r.url ? '<p class="url"><a id="full-url" href="' + esc(r.url) + '">' + esc(r.url) + '</a></p>' : '') +
    (r.replayOf ? '<p class="muted">Replay of <a href="#" id="replay-of" data-id="' + esc(r.replayOf) + '">' + esc(r.replayOf) + '</a>, sent straight to the local server.</p>' : '') +
    (r.error ? '<p class="failed">' + esc(r.error) + '</p>' : '') +
    '<dl class="timing"><dt>Started</dt><dd id="started">' + esc(moment(r.startedAt)) + '</dd><dt>Took</dt><dd>' + esc(r.durationMs) + ' ms</dd>' +
    '<dt>In / out</dt><dd>' + esc(size(r.bytesIn)) + ' / ' + esc(size(r.bytesOut)) + '</dd></dl>' +
    '<p class="actions"><button type="button" id="replay">Replay</button> <button type="button" id="edit">Edit and replay…</button> ' +
    '<button type="button" id="copy-curl">Copy as curl</button> <span id="replayed" role="status"></span></p>' +
    editForm(r) + '<pre id="curl" hidden></pre>' +
    side('request', r.requestHeaders, r.requestBody, r.rawRequest) +
    side('response', r.responseHeaders, r.responseBody, r.rawResponse);
  $('replay').onclick = () => replay(id);
  $('edit').onclick = () => { $('edit-form').hidden = !$('edit-form').hidden; };
  $('edit-form').onsubmit = (e) => {
    e.preventDefault();
    const headers = {};
    for (const line of $('edit-headers').value.split('\\n')) {
      const at = line.indexOf(':');
      if (at > 0) headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    const edits = { method: $('edit-method').value.trim(), path: $('edit-path').value.trim(), headers };
    if (!$('edit-body').disabled) edits.body = $('edit-body').value;
    replay(id, edits);
  };
  $('copy-curl').onclick = async () => {
    const text = curl(r);
    $('curl').textContent = text;
    $('curl').hidden = false;
    try { await navigator.clipboard.writeText(text); $('replayed').textContent = 'curl command copied'; }
    catch { $('replayed').textContent = 'select the command below to copy it'; }
  };
  const back = $('replay-of');
  if (back) back.onclick = (e) => { e.preventDefault(); show(back.dataset.id); };
  for (const button of document.querySelectorAll('#detail .view')) {
    button.onclick = () => {
      const section = button.closest('.side');
      const raw = button.dataset.view === 'raw';
      section.querySelector('.pretty').hidden = raw;
      section.querySelector('.raw-view').hidden = !raw;
      for (const b of section.querySelectorAll('.view')) b.setAttribute('aria-pressed', String(b === button));
    };
  }
}
$('rows').addEventListener('click', (e) => {
  const tr = e.target.closest('tr'); if (tr) show(tr.dataset.id);
});
$('rows').addEventListener('keydown', (e) => {
  const tr = e.target.closest('tr'); if (tr && e.key === 'Enter') show(tr.dataset.id);
});
for (const id of ['filter-path', 'filter-method', 'filter-status']) $(id).addEventListener('input', renderRows);
$('clear').onclick = async () => {
  await api('/api/requests', { method: 'DELETE' });
  selected = null;
  $('detail').innerHTML = '<p class="muted">Pick a request to see it.</p>';
  await refresh();
};
const timer = setInterval(() => refresh().catch(() => clearInterval(timer)), 1000);
refresh().catch(() => clearInterval(timer));
`;
