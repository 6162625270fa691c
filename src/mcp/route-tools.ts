import { z } from 'zod';
import { listLimit } from '../admin/admin-service.ts';
import { developerIdInput } from '../admin/routes-api.ts';
import { GatehouseError } from '../core/errors.ts';
import { parseBody } from '../http/validation-error.ts';
import { routeInput, routePatch } from '../routes/route.ts';
import { adminTool, record, routeId, routeShape } from './tool-kit.ts';

/** A route's fields, checked whole by the same schema the admin API uses. */
const routeFields = z
  .record(z.string(), z.unknown())
  .describe(
    'The route as the admin API takes it: kind (proxy, tunnel, static, relay, fleet-proxy, fleet-login, mcp), host, path, and the fields of its kind, e.g. {"kind":"proxy","host":"app.example.com","path":"/","target":"http://10.0.0.5:8080"} or {"kind":"tunnel","host":"dev.example.com","tunnel":"my-laptop"}',
  );

/** Validates an argument that holds a whole admin API body; a problem is named under the argument. */
function parseArgument<T extends z.ZodType>(argument: string, schema: T, value: unknown): z.infer<T> {
  try {
    return parseBody(schema, value);
  } catch (error) {
    if (!(error instanceof GatehouseError) || error.code !== 'VALIDATION_FAILED') throw error;
    const field = error.field ? `${argument}.${error.field}` : argument;
    throw new GatehouseError('VALIDATION_FAILED', `${argument}: ${error.message}`, { field });
  }
}

const delivery = record({ id: z.string(), receivedAt: z.string(), method: z.string() });

/** Routes: list, read, create, change, delete; and a relay route's webhooks and registrations. */
export const ROUTE_TOOLS = [
  adminTool({
    name: 'list_routes',
    title: 'List routes',
    description:
      'Lists every route Gatehouse serves: id, kind, host, path, target or tunnel, and auth policy (client secrets shown as "(set)"). Use it to find a route id before get_route, update_route or delete_route.',
    effect: 'read',
    input: z.object({}).strict(),
    output: z.object({ routes: z.array(routeShape) }),
    run: async (service) => ({ routes: await service.listRoutes() }),
  }),
  adminTool({
    name: 'get_route',
    title: 'Get a route',
    description: 'Shows one route by its id, with every field it has.',
    effect: 'read',
    input: z.object({ route_id: routeId }).strict(),
    output: z.object({ route: routeShape }),
    run: async (service, { route_id }) => ({ route: await service.getRoute(route_id) }),
  }),
  adminTool({
    name: 'create_route',
    title: 'Create a route',
    description:
      'Creates a route; it serves traffic at once on every node. Without kind, the kind its fields imply (target: proxy, tunnel: tunnel, static: static). Answers with the stored route and its id.',
    effect: 'create',
    input: z.object({ route: routeFields }).strict(),
    output: z.object({ route: routeShape }),
    run: async (service, { route }) => ({
      route: await service.createRoute(parseArgument('route', routeInput, route)),
    }),
  }),
  adminTool({
    name: 'update_route',
    title: 'Change a route',
    description:
      'Changes the fields given of one route (the rest stay); auth given replaces the whole auth policy, auth null opens the route. Takes effect at once.',
    effect: 'change',
    input: z
      .object({
        route_id: routeId,
        changes: z
          .record(z.string(), z.unknown())
          .describe('The fields to change, e.g. {"target":"http://10.0.0.6:8080"}'),
      })
      .strict(),
    output: z.object({ route: routeShape }),
    run: async (service, { route_id, changes }) => ({
      route: await service.updateRoute(route_id, parseArgument('changes', routePatch, changes)),
    }),
  }),
  adminTool({
    name: 'delete_route',
    title: 'Delete a route',
    description:
      'Deletes one route by its id; its host and path stop being served at once. Cannot be undone.',
    effect: 'delete',
    input: z.object({ route_id: routeId }).strict(),
    output: z.object({ deleted: z.string() }),
    run: async (service, { route_id }) => {
      await service.deleteRoute(route_id);
      return { deleted: route_id };
    },
  }),
  adminTool({
    name: 'list_webhook_deliveries',
    title: 'List webhook deliveries',
    description:
      'Lists the webhooks a relay route received in the last seven days, newest first, with what became of each (credentials redacted). Use the delivery id with replay_webhook_delivery.',
    effect: 'read',
    input: z
      .object({
        route_id: routeId,
        limit: z.number().int().min(1).max(500).optional().describe('At most this many; 100 by default'),
      })
      .strict(),
    output: z.object({ deliveries: z.array(delivery) }),
    run: async (service, { route_id, limit }) => ({
      deliveries: await service.deliveries(route_id, listLimit(limit)),
    }),
  }),
  adminTool({
    name: 'replay_webhook_delivery',
    title: 'Replay a webhook delivery',
    openWorld: true,
    description:
      "Sends a recorded webhook again to one developer registered with the relay route, with its original headers and body; the attempt is added to the delivery's results.",
    effect: 'create',
    input: z
      .object({
        route_id: routeId,
        delivery_id: z
          .string()
          .min(1)
          .max(100)
          .describe('The delivery id, as list_webhook_deliveries shows it'),
        developer_id: developerIdInput.describe(
          'The developer to send it to, as list_relay_registrations shows them',
        ),
      })
      .strict(),
    output: z.object({ result: record({ developer: z.string(), status: z.number(), at: z.string() }) }),
    run: async (service, { route_id, delivery_id, developer_id }) => ({
      result: await service.replay(route_id, delivery_id, developer_id),
    }),
  }),
  adminTool({
    name: 'list_mcp_calls',
    title: 'List calls through an MCP route',
    description:
      'Lists the calls made through an mcp route in the last 30 days, newest first: who, the method, the tool, prompt or resource, a SHA-256 of the arguments (never the arguments), the outcome (ok, tool-error, denied, header-mismatch…) and how long each took.',
    effect: 'read',
    input: z
      .object({
        route_id: routeId,
        limit: z.number().int().min(1).max(500).optional().describe('At most this many; 100 by default'),
      })
      .strict(),
    output: z.object({
      calls: z.array(record({ at: z.string(), who: z.string(), method: z.string(), outcome: z.string() })),
    }),
    run: async (service, { route_id, limit }) => ({
      calls: await service.mcpCalls(route_id, listLimit(limit)),
    }),
  }),
  adminTool({
    name: 'list_relay_registrations',
    title: 'List relay registrations',
    description:
      "Lists the developers registered now with a relay route's host (gatehouse dev-proxy) and where each one's callbacks and webhooks go: a tunnel or a URL, until when.",
    effect: 'read',
    input: z.object({ route_id: routeId }).strict(),
    output: z.object({
      registrations: z.array(
        record({ developerId: z.string(), target: record({ kind: z.string() }), expiresAt: z.string() }),
      ),
    }),
    run: async (service, { route_id }) => ({ registrations: await service.relayRegistrations(route_id) }),
  }),
];
