import QRCode from 'qrcode';

/** Tesla's virtual-key pairing link base: the Tesla app opens it and asks the owner to add the key. */
export const TESLA_PAIR_BASE = 'https://tesla.com/_ak';

/** The pairing link for `domain`; with a simulator base URL, the simulator's pairing page. */
export function pairLink(domain: string, simulator?: string): string {
  const base = simulator ? `${simulator.replace(/\/+$/, '')}/_ak` : TESLA_PAIR_BASE;
  return `${base}/${encodeURIComponent(domain.trim().toLowerCase())}`;
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
