/**
 * The inspector's single page: a live table of requests with details and a replay button. It
 * takes this run's token from the URL's fragment (`#token=…`), keeps it for the tab, and sends it
 * with every API call.
 */
export const INSPECTOR_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse inspector</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { padding: 12px 20px; background: #1d2330; color: #fff; font-weight: 600; }
  main { display: grid; grid-template-columns: minmax(320px, 45%) 1fr; gap: 16px; padding: 16px 20px; }
  table { width: 100%; border-collapse: collapse; background: #fff; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e4e7ec; white-space: nowrap; }
  tr.row { cursor: pointer; } tr.row:hover, tr.sel { background: #eef3ff; }
  .s2 { color: #137333; } .s3 { color: #1a57c4; } .s4 { color: #b06000; } .s5 { color: #c5221f; }
  pre { background: #fff; padding: 10px; overflow: auto; max-height: 40vh; border: 1px solid #e4e7ec; }
  button { padding: 6px 12px; } #empty { color: #667; padding: 20px; }
  header a { color: #9cc2ff; } .online { color: #7ee2a8; } .offline, .connecting { color: #ffcf70; }
  #problem { margin: 16px 20px; padding: 10px 14px; background: #fdecea; color: #8a1c12; }
</style></head>
<body><header>Gatehouse inspector <span id="tunnel"></span></header>
<div id="problem" hidden></div>
<main><section><table><thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th>ms</th></tr></thead>
<tbody id="rows"></tbody></table><div id="empty">No requests yet.</div></section>
<section id="detail"></section></main>
<script>
let selected = null;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => '&#' + c.charCodeAt(0) + ';');
const fromUrl = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromUrl) {
  sessionStorage.setItem('gatehouse-inspector-token', fromUrl);
  history.replaceState(null, '', location.pathname);
}
const token = sessionStorage.getItem('gatehouse-inspector-token');
function problem(text) {
  const box = document.getElementById('problem');
  box.textContent = text;
  box.hidden = false;
  throw new Error(text);
}
async function api(path, init = {}) {
  if (!token) problem('Open the inspector with the address gatehouse tunnel printed: it ends in #token=…');
  const res = await fetch(path, { ...init, headers: { authorization: 'Bearer ' + token } });
  const body = await res.json();
  if (res.status === 401) problem(body.message);
  return { res, body };
}
function showTunnel(t) {
  document.title = t.name + ' · Gatehouse inspector';
  const link = /^https?:/.test(t.publicUrl || '') ? '<a href="' + esc(t.publicUrl) + '">' + esc(t.publicUrl) + '</a>' : '';
  const state = t.state === 'online' ? '● online' : '○ ' + t.state + (t.reason ? ' (' + t.reason + ')' : '');
  document.getElementById('tunnel').innerHTML = '· ' + esc(t.name) + ' ' + link + ' → ' + esc(t.local) +
    ' <span class="' + esc(t.state) + '" title="since ' + esc(t.since) + '">' + esc(state) + '</span>';
}
async function refresh() {
  const { tunnel, requests } = (await api('/api/requests')).body;
  showTunnel(tunnel);
  document.getElementById('empty').hidden = requests.length > 0;
  document.getElementById('rows').innerHTML = requests.map((r) =>
    '<tr class="row' + (r.id === selected ? ' sel' : '') + '" data-id="' + esc(r.id) + '"><td>' + esc(r.startedAt.slice(11, 19)) +
    '</td><td>' + esc(r.method) + '</td><td>' + esc(r.path) + '</td><td class="s' + String(r.status)[0] + '">' + esc(r.status || '…') +
    '</td><td>' + esc(r.durationMs) + '</td></tr>').join('');
}
async function show(id) {
  selected = id;
  const r = (await api('/api/requests/' + encodeURIComponent(id))).body;
  document.getElementById('detail').innerHTML = '<h3>' + esc(r.method + ' ' + r.path) + ' → ' + esc(r.status) + '</h3>' +
    '<button id="replay">Replay</button> <span id="replayed"></span>' +
    '<h4>Request headers</h4><pre>' + esc(JSON.stringify(r.requestHeaders, null, 2)) + '</pre>' +
    '<h4>Request body (' + r.requestBody.bytes + ' bytes kept)</h4><pre>' + esc(r.requestBody.text) + '</pre>' +
    '<h4>Response headers</h4><pre>' + esc(JSON.stringify(r.responseHeaders, null, 2)) + '</pre>' +
    '<h4>Response body (' + r.responseBody.bytes + ' bytes kept)</h4><pre>' + esc(r.responseBody.text) + '</pre>';
  document.getElementById('replay').onclick = async () => {
    const { res, body } = await api('/api/requests/' + encodeURIComponent(id) + '/replay', { method: 'POST' });
    document.getElementById('replayed').textContent = res.ok ? 'replayed → ' + body.status : body.message;
    refresh();
  };
  refresh();
}
document.getElementById('rows').addEventListener('click', (e) => {
  const tr = e.target.closest('tr'); if (tr) show(tr.dataset.id);
});
const timer = setInterval(() => refresh().catch(() => clearInterval(timer)), 1000);
refresh().catch(() => clearInterval(timer));
</script></body></html>
`;
