/** The telemetry part of the admin API's OpenAPI document: vehicle state. */

/** A vehicle's state as the telemetry receiver keeps it (VehicleState in src/telemetry/state/). */
export const vehicleState = {
  type: 'object',
  required: ['vin', 'status', 'lastSeenAt', 'fields', 'fieldTimes', 'alerts', 'errors'],
  properties: {
    vin: { type: 'string', description: "From the vehicle certificate's CN (`.` becomes `-`)." },
    status: { type: 'string', enum: ['CONNECTED', 'DISCONNECTED', 'UNKNOWN'] },
    connectionId: { type: 'string' },
    receiver: {
      type: 'string',
      description:
        'The node whose receiver holds the connection: CONNECTED holds only while that receiver runs (its lease lives).',
    },
    networkInterface: { type: 'string', description: 'X-Network-Interface of the connection, e.g. wifi.' },
    deviceClientVersion: { type: 'string', description: 'Version header of the connection.' },
    statusChangedAt: { type: 'integer', description: 'ms since the epoch' },
    lastSeenAt: { type: 'integer', description: 'ms since the epoch' },
    fields: {
      type: 'object',
      additionalProperties: true,
      description:
        'Latest value by Tesla field name: numbers, enum names, {latitude, longitude}; null when invalid.',
    },
    fieldTimes: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: "The vehicle's time of each latest value, ms since the epoch.",
    },
    alerts: {
      type: 'array',
      description: 'Active alerts.',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          audiences: { type: 'array', items: { type: 'string' } },
          startedAt: { type: 'integer' },
          endedAt: { type: 'integer' },
        },
      },
    },
    errors: {
      type: 'array',
      description: 'Recent errors, oldest first.',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          createdAt: { type: 'integer' },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
          body: { type: 'string' },
        },
      },
    },
  },
};

/** `/fleet/vehicles/` and `/fleet/vehicles/{vin}`; `errors` makes the error responses of the statuses. */
export const vehiclesPaths = (errors: (...statuses: number[]) => Record<string, unknown>) => ({
  '/fleet/vehicles/': {
    get: {
      summary: 'Vehicles that streamed telemetry: connection state and latest fields',
      responses: {
        '200': {
          description: 'Vehicles, by VIN',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['vehicles'],
                properties: {
                  vehicles: { type: 'array', items: { $ref: '#/components/schemas/VehicleState' } },
                },
              },
            },
          },
        },
        ...errors(401),
      },
    },
  },
  '/fleet/vehicles/{vin}': {
    parameters: [{ name: 'vin', in: 'path', required: true, schema: { type: 'string' } }],
    get: {
      summary: "One vehicle's state and its bounded history",
      responses: {
        '200': {
          description: 'The vehicle',
          content: {
            'application/json': {
              schema: {
                allOf: [
                  { $ref: '#/components/schemas/VehicleState' },
                  {
                    type: 'object',
                    required: ['history'],
                    properties: {
                      history: {
                        type: 'array',
                        description: 'Oldest first: the fields that changed within each history interval.',
                        items: {
                          type: 'object',
                          properties: {
                            at: { type: 'integer' },
                            fields: { type: 'object', additionalProperties: true },
                          },
                        },
                      },
                    },
                  },
                ],
              },
            },
          },
        },
        ...errors(400, 401, 404),
      },
    },
  },
});
