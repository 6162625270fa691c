import { escapeHtml, page } from '../../http/html-page.ts';
import type { PairLink } from '../pair-link.ts';
import type { VehicleLine, VehicleReport } from './vehicle-report.ts';

/** Where the report page's buttons post, and the token they carry. */
export interface ReportActions {
  readonly prefix: string;
  readonly csrf: string;
}

const KM_PER_MILE = 1.609344;

function distance(miles: number): string {
  return `${Math.round(miles).toLocaleString('en-US')} mi (${Math.round(miles * KM_PER_MILE).toLocaleString('en-US')} km)`;
}

/**
 * A moment as a person reads it wherever they are, `2026-12-07 08:15 UTC`, in a `<time>` whose
 * `datetime` keeps the exact ISO time for whatever reads the page.
 */
export function timeHtml(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return escapeHtml(iso);
  const exact = at.toISOString();
  return `<time datetime="${escapeHtml(exact)}">${exact.slice(0, 10)} ${exact.slice(11, 16)} UTC</time>`;
}

/** The rows of one vehicle: only what Tesla said. */
function rows(v: VehicleLine): [string, string][] {
  const out: [string, string][] = [
    ['VIN', v.vin],
    ['State', v.state],
  ];
  if (v.batteryLevel !== undefined) out.push(['Battery', `${v.batteryLevel} %`]);
  if (v.rangeMiles !== undefined) out.push(['Range', distance(v.rangeMiles)]);
  if (v.chargingState) out.push(['Charging', v.chargingState]);
  if (v.insideTempC !== undefined) out.push(['Inside', `${v.insideTempC} °C`]);
  if (v.outsideTempC !== undefined) out.push(['Outside', `${v.outsideTempC} °C`]);
  if (v.location)
    out.push(['Location', `${v.location.latitude.toFixed(5)}, ${v.location.longitude.toFixed(5)}`]);
  if (v.odometerMiles !== undefined) out.push(['Odometer', distance(v.odometerMiles)]);
  if (v.firmware) out.push(['Firmware', v.firmware]);
  if (v.locked !== undefined) out.push(['Locked', v.locked ? 'yes' : 'no']);
  return out;
}

function vehicleBlock(v: VehicleLine): string {
  const table = rows(v)
    .map(([k, val]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(val)}</td></tr>`)
    .join('');
  return (
    `<section class="vehicle" data-vin="${escapeHtml(v.vin)}" data-state="${escapeHtml(v.state)}">` +
    `<h2>${escapeHtml(v.name)}</h2><table>${table}</table>` +
    (v.note ? `<p class="muted note">${escapeHtml(v.note)}</p>` : '') +
    (v.problem
      ? `<p class="problem" data-code="${escapeHtml(v.problem.code)}">${escapeHtml(v.problem.message)}</p>`
      : '') +
    `</section>`
  );
}

/** The report page: the vehicles, the pairing link and its QR code, refresh and log out. */
export function reportPage(report: VehicleReport, pairing: PairLink, actions: ReportActions): string {
  const csrf = `<input type="hidden" name="csrf" value="${escapeHtml(actions.csrf)}">`;
  const vehicles = report.vehicles.length
    ? report.vehicles.map(vehicleBlock).join('')
    : '<p id="no-vehicles">This Tesla account has no vehicles.</p>';
  return page(
    'Your Tesla vehicles',
    `<h1>Your Tesla vehicles</h1>` +
      `<p class="muted">Report made ${timeHtml(report.generatedAt)}.</p>` +
      (report.vehicles.length
        ? `<p><a id="live-dashboard" href="${escapeHtml(actions.prefix)}/dashboard">Watch your vehicles live</a> on the dashboard.</p>`
        : '') +
      vehicles +
      `<h2>Virtual key</h2><p>To let this application send commands, add its key to each vehicle: ` +
      `open <a id="pair-link" href="${escapeHtml(pairing.url)}">${escapeHtml(pairing.url)}</a> ` +
      `on the phone with the Tesla app, or scan the code.</p>` +
      `<div id="pair-qr" class="qr">${pairing.svg}</div>` +
      `<form method="post" action="${escapeHtml(actions.prefix)}/report" class="inline">${csrf}` +
      `<button id="refresh" type="submit">Refresh</button></form> ` +
      `<form method="post" action="${escapeHtml(actions.prefix)}/logout" class="inline">${csrf}` +
      `<button id="logout" type="submit">Log out</button></form>`,
  );
}
