import { createHash } from 'node:crypto';
import { INSPECTOR_SCRIPT } from './inspector-script.ts';

const STYLE = `
  * { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { padding: 12px 20px; background: #1d2330; color: #fff; font-weight: 600; overflow-wrap: anywhere; }
  header a { color: #9cc2ff; } .online { color: #7ee2a8; } .offline, .connecting { color: #ffcf70; }
  #problem { margin: 16px 20px; padding: 10px 14px; background: #fdecea; color: #8a1c12; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; padding: 12px 20px 0; }
  .toolbar label { display: flex; gap: 6px; align-items: center; }
  main { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 7fr); gap: 16px; padding: 12px 20px 20px; }
  main > section { min-width: 0; }
  table { width: 100%; border-collapse: collapse; background: #fff; }
  #list { table-layout: fixed; }
  #list col.time { width: 88px; } #list col.method { width: 72px; } #list col.status { width: 60px; } #list col.ms { width: 56px; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e4e7ec; vertical-align: top; }
  #list td { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  #list td.ms, #list th.ms { text-align: right; }
  tr.row { cursor: pointer; } tr.row:hover, tr.sel { background: #eef3ff; } tr.row:focus { outline: 2px solid #1a57c4; }
  .s2 { color: #137333; } .s3 { color: #1a57c4; } .s4 { color: #b06000; } .s5, .error, .failed { color: #c5221f; }
  .pending { color: #667; } .ok { color: #137333; } .muted { color: #5f6673; font-weight: normal; }
  .badge { display: inline-block; padding: 0 6px; border-radius: 8px; background: #ede3ff; color: #5b2bb5; font-size: 12px; font-weight: 600; }
  #detail h2 { font-size: 17px; margin: 0 0 6px; overflow-wrap: anywhere; }
  #detail h3 { font-size: 15px; display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
  .views { margin-left: auto; } .view[aria-pressed="true"] { background: #1d2330; color: #fff; }
  .url { margin: 0 0 8px; overflow-wrap: anywhere; }
  .timing { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
  .timing dt { color: #5f6673; } .timing dd { margin: 0; }
  table.headers th { width: 30%; font-weight: 600; color: #3c4250; overflow-wrap: anywhere; }
  table.headers td { overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: 13px; }
  pre { background: #fff; padding: 10px; margin: 8px 0; overflow: auto; max-height: 40vh; border: 1px solid #e4e7ec;
    white-space: pre-wrap; overflow-wrap: anywhere; font-size: 13px; }
  pre.hex { white-space: pre; }
  button { padding: 6px 12px; cursor: pointer; } #empty { color: #5f6673; padding: 20px; }
  fieldset { border: 1px solid #d5d9e0; background: #fff; display: grid; gap: 8px; }
  fieldset label { display: grid; gap: 4px; } textarea, input { font: 13px ui-monospace, monospace; width: 100%; }
`;

const BODY = `<header>Gatehouse inspector <span id="tunnel"></span></header>
<div id="problem" hidden></div>
<div class="toolbar" role="search">
<label>Path <input id="filter-path" type="search" placeholder="contains…"></label>
<label>Method <select id="filter-method"><option value="">any</option><option>GET</option><option>POST</option>
<option>PUT</option><option>PATCH</option><option>DELETE</option><option>HEAD</option><option>OPTIONS</option></select></label>
<label>Status <select id="filter-status"><option value="">any</option><option value="2xx">2xx</option>
<option value="3xx">3xx</option><option value="4xx">4xx</option><option value="5xx">5xx</option><option value="error">errors</option></select></label>
<button type="button" id="clear">Clear</button> <span id="count" class="muted"></span>
</div>
<main><section aria-label="Requests"><table id="list"><colgroup><col class="time"><col class="method"><col><col class="status"><col class="ms"></colgroup>
<thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th class="ms">ms</th></tr></thead>
<tbody id="rows"></tbody></table><div id="empty">No requests yet.</div></section>
<section id="detail" aria-label="Request detail"><p class="muted">Pick a request to see it.</p></section></main>`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The inspector's Content-Security-Policy: its own inline style and script, its own API, nothing else. */
export const INSPECTOR_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: [hash(INSPECTOR_SCRIPT)],
  styleSrc: [hash(STYLE)],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * The inspector's single page, self-contained (no CDN: the agent serves it, offline too): a live,
 * filterable list of requests beside the detail of the one picked.
 */
export const INSPECTOR_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse inspector</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head>
<body>${BODY}
<script>${INSPECTOR_SCRIPT}</script></body></html>
`;
