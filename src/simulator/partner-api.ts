import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { checkHostedKey } from '../fleet/hosted-key.ts';
import { SimulatorApiError } from './api-error.ts';
import { type FleetDeps, type FleetEnv, jsonBody } from './fleet-context.ts';
import { originHost, type PartnerAccount, publicKeyHash } from './world.ts';

const hex = (point: Uint8Array) => Buffer.from(point).toString('hex');
const iso = (ms: number) => new Date(ms).toISOString();

function requirePartner(c: Context<FleetEnv>): void {
  if (c.get('principal').kind !== 'partner') {
    throw new SimulatorApiError('SIM_FORBIDDEN', 'Expected partner account', {
      description: 'partner endpoints take a partner token (grant_type=client_credentials)',
    });
  }
}

/** `POST /api/1/partner_accounts` and the other partner endpoints of one region. */
export function partnerApi(deps: FleetDeps): Hono<FleetEnv> {
  const app = new Hono<FleetEnv>();
  const { world, region } = deps;

  const accountJson = (partner: PartnerAccount) => {
    const client = world.apps.get(partner.clientId);
    return {
      account_id: partner.accountId,
      domain: partner.domain,
      name: client?.name ?? partner.clientId,
      description: client?.description ?? '',
      client_id: partner.clientId,
      ca: null,
      created_at: iso(partner.createdAt),
      updated_at: iso(partner.updatedAt),
      enterprise_tier: 'free',
      issuer: null,
      csr: null,
      csr_updated_at: null,
      public_key: hex(partner.publicPoint),
      public_key_hash: publicKeyHash(partner.publicPoint),
    };
  };

  app.post('/api/1/partner_accounts', async (c) => {
    requirePartner(c);
    const clientId = c.get('principal').clientId;
    const body = await jsonBody(c);
    const given = body['domain'];
    if (typeof given !== 'string' || !given.trim()) {
      throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_field', {
        description: 'domain is required: the host name serving your public key',
      });
    }
    const domain = originHost(given);
    const client = world.apps.get(clientId);
    if (!client?.allowedOrigins.includes(domain)) {
      throw new SimulatorApiError(
        'SIM_UNPROCESSABLE',
        `Validation failed: Domain ${domain} is not an allowed origin`,
        {
          description: `add ${domain} to the application's allowed origins (${client?.allowedOrigins.join(', ') || 'none'})`,
          messages: { domain: [`${domain} is not an allowed origin of the application`] },
        },
      );
    }
    const check = await checkHostedKey(domain, deps.reach);
    if (check.problems.length || !check.key) {
      const problems = check.problems.map((p) => p.message);
      deps.logger?.info({ region, client_id: clientId, domain, problems }, 'simulator: partner key refused');
      throw new SimulatorApiError('SIM_UNPROCESSABLE', `Validation failed: ${problems.join('; ')}`, {
        description: `Tesla could not read a P-256 public key at ${check.url}`,
        messages: { public_key: problems },
      });
    }
    const point = check.key.publicPoint;
    const takenBy = [...world.partners.values()].find(
      (p) => p.clientId !== clientId && Buffer.from(p.publicPoint).equals(Buffer.from(point)),
    );
    if (takenBy) {
      throw new SimulatorApiError(
        'SIM_UNPROCESSABLE',
        'Validation failed: Public key hash has already been taken',
        {
          messages: { public_key_hash: ['has already been taken'] },
        },
      );
    }
    // Registering again is how a changed hosted key (or domain) reaches Tesla: it updates in place.
    const now = world.clock();
    const existing = world.partner(region, clientId);
    if (existing) {
      const changed =
        existing.domain !== domain || !Buffer.from(existing.publicPoint).equals(Buffer.from(point));
      if (changed) {
        existing.domain = domain;
        existing.publicPoint = point;
        existing.updatedAt = now;
      }
      deps.logger?.info(
        { region, client_id: clientId, domain, changed },
        'simulator: partner registered again',
      );
      return c.json({ response: accountJson(existing) });
    }
    const partner: PartnerAccount = {
      accountId: randomUUID(),
      clientId,
      region,
      domain,
      publicPoint: point,
      createdAt: now,
      updatedAt: now,
    };
    world.savePartner(partner);
    deps.logger?.info({ region, client_id: clientId, domain }, 'simulator: partner registered');
    return c.json({ response: accountJson(partner) });
  });

  app.get('/api/1/partner_accounts/public_key', (c) => {
    requirePartner(c);
    const domain = originHost(c.req.query('domain') ?? '');
    if (!domain) {
      throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_field', {
        description: 'the domain query parameter is required',
      });
    }
    const partner = world.partner(region, c.get('principal').clientId);
    if (!partner || partner.domain !== domain) {
      throw new SimulatorApiError('SIM_FORBIDDEN', `This account does not have access to ${domain}`);
    }
    return c.json({ response: { public_key: hex(partner.publicPoint) } });
  });

  app.get('/api/1/partner_accounts/fleet_telemetry_errors', (c) => {
    requirePartner(c);
    const clientId = c.get('principal').clientId;
    const errors = world.telemetryErrors.filter(
      (e) => e.name === clientId && vehicleRegion(deps, e.vin) === region,
    );
    return c.json({ response: { fleet_telemetry_errors: errors } });
  });

  return app;
}

/** The region of the vehicle's owner. */
export function vehicleRegion(deps: FleetDeps, vin: string): string | undefined {
  const vehicle = deps.world.vehicles.get(vin);
  return vehicle ? deps.world.accounts.get(vehicle.ownerId)?.region : undefined;
}
