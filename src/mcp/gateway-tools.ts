import { z } from 'zod';
import { keyName } from '../admin/keys-api.ts';
import { adminTool, keyShape, record, tunnelName, tunnelShape } from './tool-kit.ts';

const withKey = tunnelShape.extend({
  key: z.string().describe('The tunnel key: shown this once, give it to gatehouse tunnel --key'),
});

/** Health, tunnels, API keys and vehicles. */
export const GATEWAY_TOOLS = [
  adminTool({
    name: 'get_health',
    title: 'Gatehouse health',
    description:
      "Whether this Gatehouse node is ready: its version, the store's kind and state, how many routes it serves and how many tunnels are online.",
    effect: 'read',
    input: z.object({}).strict(),
    output: record({
      status: z.string(),
      version: z.string(),
      routes: z.number(),
      tunnelsOnline: z.number(),
    }),
    run: (service) => service.health(),
  }),
  adminTool({
    name: 'list_tunnels',
    title: 'List tunnels',
    description:
      'Lists every tunnel: its public URL, owner, whether its agent is online now (since when, from where, which version), and its request counts.',
    effect: 'read',
    input: z.object({}).strict(),
    output: z.object({ tunnels: z.array(tunnelShape) }),
    run: async (service) => ({ tunnels: await service.listTunnels() }),
  }),
  adminTool({
    name: 'create_tunnel',
    title: 'Create a tunnel',
    description:
      'Creates a tunnel identity and its key (shown in this answer only, never again). Its public URL serves whatever the agent started with that key forwards to: gatehouse tunnel --key <key> <port>.',
    effect: 'create',
    input: z
      .object({
        name: z
          .string()
          .trim()
          .toLowerCase()
          .optional()
          .describe('A DNS label (letters, digits, dashes); left out, a readable random name'),
      })
      .strict(),
    output: z.object({ tunnel: withKey }),
    run: async (service, { name }, caller) => ({
      tunnel: await service.createTunnel(name, caller.principal),
    }),
  }),
  adminTool({
    name: 'rotate_tunnel_key',
    title: 'Give a tunnel a new key',
    description:
      'Gives a tunnel a new key (shown in this answer only) and disconnects the agent using the old one, which stops working at once.',
    effect: 'change',
    input: z.object({ name: tunnelName }).strict(),
    output: z.object({ tunnel: withKey }),
    run: async (service, { name }) => ({ tunnel: await service.rotateTunnelKey(name) }),
  }),
  adminTool({
    name: 'delete_tunnel',
    title: 'Delete a tunnel',
    description: 'Deletes a tunnel and its key; its agent is disconnected and its URL stops answering.',
    effect: 'delete',
    input: z.object({ name: tunnelName }).strict(),
    output: z.object({ deleted: z.string() }),
    run: async (service, { name }) => {
      await service.deleteTunnel(name);
      return { deleted: name };
    },
  }),
  adminTool({
    name: 'list_api_keys',
    title: 'List admin API keys',
    description:
      'Lists the admin API keys: id, name, the first characters, whether revoked, and which one this call uses. Secrets are never shown.',
    effect: 'read',
    input: z.object({}).strict(),
    output: z.object({ keys: z.array(keyShape) }),
    run: async (service, _args, caller) => ({ keys: await service.listKeys(caller.principal) }),
  }),
  adminTool({
    name: 'create_api_key',
    title: 'Create an admin API key',
    description:
      'Creates an admin API key. Its secret is in this answer only: hand it to whoever needs it now; it cannot be shown again.',
    effect: 'create',
    input: z.object({ name: keyName.describe('What the key is for, shown in listings') }).strict(),
    output: z.object({ key: keyShape.extend({ secret: z.string() }) }),
    run: async (service, { name }, caller) => ({ key: await service.createKey(name, caller.principal) }),
  }),
  adminTool({
    name: 'revoke_api_key',
    title: 'Revoke an admin API key',
    description:
      'Revokes an admin API key by id: it stops working at once. The last active key cannot be revoked.',
    effect: 'delete',
    input: z
      .object({ id: z.string().min(1).max(100).describe('The key id, as list_api_keys shows it') })
      .strict(),
    output: z.object({ key: keyShape }),
    run: async (service, { id }, caller) => ({ key: await service.revokeKey(id, caller.principal) }),
  }),
  adminTool({
    name: 'list_vehicles',
    title: 'List vehicles',
    description:
      'Lists the Tesla vehicles the Fleet Telemetry receiver has heard from, each with its latest state (the last value of every field it sent, and when).',
    effect: 'read',
    input: z.object({}).strict(),
    output: z.object({ vehicles: z.array(record({ vin: z.string() })) }),
    run: async (service) => ({ vehicles: await service.listVehicles() }),
  }),
  adminTool({
    name: 'get_vehicle',
    title: "A vehicle's latest state",
    description: "One vehicle's latest telemetry state and its recent history, by VIN.",
    effect: 'read',
    input: z.object({ vin: z.string().describe('The VIN, as list_vehicles shows it') }).strict(),
    output: z.object({ vehicle: record({ vin: z.string() }) }),
    run: async (service, { vin }) => ({ vehicle: await service.vehicle(vin) }),
  }),
];
