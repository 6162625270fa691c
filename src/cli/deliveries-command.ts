import { parseArgs } from 'node:util';
import { request } from 'undici';
import { type DeliveryView, deliveryDetail, deliverySummary } from './delivery-view.ts';
import { optionTable } from './help.ts';

/** `gatehouse deliveries --help`. */
export const DELIVERIES_HELP = `Usage: gatehouse deliveries list   --route ID [options]
       gatehouse deliveries show   DELIVERY --route ID [options]
       gatehouse deliveries replay DELIVERY --route ID --developer DEV [options]

Webhooks a relay route received: who got them, what they answered, and sending one again.
'show' prints one whole: the request line, its headers (credentials read [redacted]) and its body.

${optionTable([
  {
    heading: 'Options',
    options: [
      { usage: '--route ID', does: 'The relay route' },
      { usage: '--developer DEV', does: 'Replay to this developer' },
      { usage: '--server URL', does: 'Gatehouse (default http://localhost:8080)', env: 'GATEHOUSE_SERVER' },
      { usage: '--admin-key KEY', does: 'Admin API key', env: 'GATEHOUSE_ADMIN_KEY' },
      { usage: '--json', does: "Print the API's JSON" },
      { usage: '-h, --help', does: 'Show this help' },
    ],
  },
])}`;

/** Runs `gatehouse deliveries …`; resolves with the exit code. */
export async function deliveriesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      route: { type: 'string' },
      developer: { type: 'string' },
      server: { type: 'string' },
      'admin-key': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, id] = positionals;
  if (values.help || !action) {
    process.stdout.write(DELIVERIES_HELP);
    return values.help ? 0 : 2;
  }
  const fail = (message: string, code = 2) => {
    process.stderr.write(`gatehouse deliveries: ${message}\n`);
    return code;
  };
  const key = values['admin-key'] ?? process.env['GATEHOUSE_ADMIN_KEY'];
  if (!values.route) return fail('--route is required');
  if (!key) return fail('give an admin key with --admin-key or GATEHOUSE_ADMIN_KEY');
  const server = values.server ?? process.env['GATEHOUSE_SERVER'] ?? 'http://localhost:8080';
  const base = `${server.replace(/\/+$/, '')}/api/v1/routes/${encodeURIComponent(values.route)}/deliveries`;
  const call = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
    const res = await request(url, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };
  try {
    if (action === 'list') {
      const res = await call('GET', base);
      if (res.status !== 200) return fail(String(res.body['message']), 1);
      const deliveries = res.body['deliveries'] as DeliveryView[];
      process.stdout.write(
        values.json
          ? `${JSON.stringify(deliveries)}\n`
          : `${deliveries.map(deliverySummary).join('\n') || 'No deliveries.'}\n`,
      );
      return 0;
    }
    if (!id) return fail(`${action} needs a delivery id`);
    if (action === 'show') {
      const res = await call('GET', `${base}/${encodeURIComponent(id)}`);
      if (res.status !== 200) return fail(String(res.body['message']), 1);
      process.stdout.write(
        values.json
          ? `${JSON.stringify(res.body)}\n`
          : `${deliveryDetail(res.body as unknown as DeliveryView)}\n`,
      );
      return 0;
    }
    if (action === 'replay') {
      if (!values.developer) return fail('replay needs --developer');
      const res = await call('POST', `${base}/${encodeURIComponent(id)}/replay`, {
        developer_id: values.developer,
      });
      if (res.status !== 200) return fail(String(res.body['message']), 1);
      process.stdout.write(
        values.json
          ? `${JSON.stringify(res.body)}\n`
          : `Replayed to ${values.developer}: ${res.body['status']}${res.body['error'] ? ` (${res.body['error']})` : ''}\n`,
      );
      return res.body['status'] === 502 || res.body['status'] === 404 ? 1 : 0;
    }
    return fail(`unknown action '${action}'; use list, show or replay`);
  } catch (error) {
    return fail(`could not reach ${server}: ${(error as Error).message}`, 3);
  }
}
