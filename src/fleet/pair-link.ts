import QRCode from 'qrcode';
import { GatehouseError } from '../core/errors.ts';

/** Tesla's virtual-key pairing link base: the Tesla app opens it and asks the owner to add the key. */
export const TESLA_PAIR_BASE = 'https://tesla.com/_ak';

/** A DNS host name: letters, digits and hyphens in dot-separated labels. */
const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The domain alone, or an error saying how to write it (no scheme, path or port). */
export function requireDomain(domain: string | undefined, flag = '--domain'): string {
  const value = domain?.trim().toLowerCase();
  if (!value) {
    throw new GatehouseError('FLEET_USAGE', `${flag} is required: the domain that hosts the public key`);
  }
  if (!HOST_NAME.test(value)) {
    throw new GatehouseError(
      'FLEET_USAGE',
      `${flag} ${domain}: give the host name alone, e.g. app.example.com (no https://, path or port)`,
      { field: 'domain' },
    );
  }
  return value;
}

/** The pairing link for `domain`; with a simulator base URL, the simulator's pairing page. */
export function pairLink(domain: string, simulator?: string): string {
  const base = simulator ? `${simulator.replace(/\/+$/, '')}/_ak` : TESLA_PAIR_BASE;
  return `${base}/${requireDomain(domain)}`;
}

/** A pairing link and its QR code as an SVG document, for pages that show it. */
export interface PairLink {
  readonly url: string;
  readonly svg: string;
}

/** The pairing link for `domain` and an SVG QR code of it. */
export async function pairLinkWithSvg(domain: string, simulator?: string): Promise<PairLink> {
  const url = pairLink(domain, simulator);
  return { url, svg: await QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }) };
}

/** The QR code of `url` drawn with block characters for a terminal. */
export function terminalQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
