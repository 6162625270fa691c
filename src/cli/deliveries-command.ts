import { parseArgs } from 'node:util';
import { answerExit, answerProblem, callAdmin } from './admin-client.ts';
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
  const serverArg = values.server ?? process.env['GATEHOUSE_SERVER'] ?? 'http://localhost:8080';
  if (!URL.canParse(serverArg) || !/^https?:$/.test(new URL(serverArg).protocol))
    return fail(
      '--server (or GATEHOUSE_SERVER) must be the Gatehouse URL, e.g. https://gatehouse.example.com',
    );
  const access = { server: new URL(serverArg), key };
  const base = `routes/${encodeURIComponent(values.route)}/deliveries`;
  /** The answer when it is the one hoped for; otherwise the line saying why, and the exit code. */
  const call = async (what: string, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const answer = await callAdmin(access, method, path, body);
    if (answer.reached && answer.status === 200) return answer.body;
    return fail(answerProblem(what, access, answer), answerExit(answer));
  };
  if (action === 'list') {
    const body = await call('listing the deliveries', 'GET', base);
    if (typeof body === 'number') return body;
    const deliveries = body['deliveries'] as DeliveryView[];
    process.stdout.write(
      values.json
        ? `${JSON.stringify(deliveries)}\n`
        : `${deliveries.map(deliverySummary).join('\n') || 'No deliveries.'}\n`,
    );
    return 0;
  }
  if (!id) return fail(`${action} needs a delivery id`);
  if (action === 'show') {
    const body = await call(`reading delivery ${id}`, 'GET', `${base}/${encodeURIComponent(id)}`);
    if (typeof body === 'number') return body;
    process.stdout.write(
      values.json ? `${JSON.stringify(body)}\n` : `${deliveryDetail(body as unknown as DeliveryView)}\n`,
    );
    return 0;
  }
  if (action === 'replay') {
    if (!values.developer) return fail('replay needs --developer');
    const body = await call(`replaying delivery ${id}`, 'POST', `${base}/${encodeURIComponent(id)}/replay`, {
      developer_id: values.developer,
    });
    if (typeof body === 'number') return body;
    process.stdout.write(
      values.json
        ? `${JSON.stringify(body)}\n`
        : `Replayed to ${values.developer}: ${body['status']}${body['error'] ? ` (${body['error']})` : ''}\n`,
    );
    return body['status'] === 502 || body['status'] === 404 ? 1 : 0;
  }
  return fail(`unknown action '${action}'; use list, show or replay`);
}
