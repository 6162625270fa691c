import type { WebhookSettings } from '../routes/relay-settings.ts';

/** The value at a dotted path (`repository.full_name`) of parsed JSON, if it is a string or number. */
export function valueAtPath(json: unknown, path: string): string | undefined {
  let node: unknown = json;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' || typeof node === 'number' ? String(node) : undefined;
}

/**
 * Which developers a webhook goes to: `all` for a broadcast, else the one its selector names
 * (through `map` when there is one), or none when the selector finds nothing.
 */
export function selectDevelopers(
  settings: WebhookSettings,
  request: { headers: Readonly<Record<string, string | string[] | undefined>>; search: string; body: Buffer },
): 'all' | string[] {
  const { select } = settings;
  if (select === 'broadcast') return 'all';
  let value: string | undefined;
  if ('header' in select) {
    const h = request.headers[select.header];
    value = Array.isArray(h) ? h[0] : h;
  } else if ('query' in select) {
    value = new URLSearchParams(request.search).get(select.query) ?? undefined;
  } else {
    try {
      value = valueAtPath(JSON.parse(request.body.toString('utf8')), select.json);
    } catch {
      value = undefined;
    }
  }
  if (value === undefined || value === '') return [];
  const developer = settings.map ? settings.map[value] : value;
  return developer ? [developer] : [];
}
