/** A delivery as the admin API gives it, to the extent the CLI prints it. */
export interface DeliveryView {
  readonly id: string;
  readonly receivedAt: string;
  readonly method: string;
  readonly pathAndQuery: string;
  readonly authority?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** Base64 of the body. */
  readonly body?: string;
  readonly bodyBytes: number;
  readonly truncated?: boolean;
  readonly results: readonly { developer: string; status: number; error?: string; replay?: boolean }[];
}

/** A delivery in a list: one line, then one line per developer it went to. */
export function deliverySummary(d: DeliveryView): string {
  return (
    `${d.id}  ${d.receivedAt}  ${d.method} ${d.pathAndQuery}  ${d.bodyBytes} bytes\n` +
    d.results
      .map(
        (r) =>
          `    → ${r.developer}: ${r.status}${r.error ? ` (${r.error})` : ''}${r.replay ? ' [replay]' : ''}`,
      )
      .join('\n')
  );
}

/**
 * One delivery in full: its summary, then the request as it came (the request line, the headers,
 * credentials already `[redacted]` by the server, a blank line and the body as text).
 */
export function deliveryDetail(d: DeliveryView): string {
  const headers = Object.entries(d.headers ?? {}).flatMap(([name, value]) =>
    (typeof value === 'string' ? [value] : value).map((v) => `${name}: ${v}`),
  );
  const host = d.authority && !('host' in (d.headers ?? {})) ? [`host: ${d.authority}`] : [];
  return [
    deliverySummary(d),
    '',
    `${d.method} ${d.pathAndQuery}`,
    ...host,
    ...headers,
    '',
    bodyText(Buffer.from(d.body ?? '', 'base64'), d.truncated === true),
  ].join('\n');
}

/** The body as text when it is text; else what it is and where to find its bytes. */
function bodyText(body: Buffer, truncated: boolean): string {
  if (body.length === 0) return '(no body)';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return `(${body.length} bytes that are not UTF-8 text; --json gives them in base64)`;
  }
  // Control characters other than tabs and line ends would act on the terminal, not show.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: those are what is looked for
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(text))
    return `(${body.length} bytes of binary data; --json gives them in base64)`;
  return truncated ? `${text}\n(the first ${body.length} bytes; the delivery keeps all of it)` : text;
}
