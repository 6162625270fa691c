/** The certificates part of the admin API's OpenAPI document. */

const isoOrNull = { type: ['string', 'null'], description: 'ISO 8601; null until issued.' };

/** A certificate as listed (CertificateView in src/certs/): never its private key. */
export const certificateView = {
  type: 'object',
  required: [
    'id',
    'names',
    'origin',
    'status',
    'issuer',
    'notBefore',
    'notAfter',
    'profile',
    'ariWindow',
    'renewAt',
    'failures',
    'lastError',
  ],
  properties: {
    id: { type: 'string' },
    names: { type: 'array', items: { type: 'string' }, description: 'Up to 100 names.' },
    origin: {
      enum: ['config', 'on-demand'],
      description: 'From routes and settings, or certified at a first handshake.',
    },
    status: { enum: ['pending', 'valid', 'near-expiry', 'expired', 'revoked'] },
    issuer: { type: ['string', 'null'], description: "The issuer's common name." },
    notBefore: isoOrNull,
    notAfter: isoOrNull,
    profile: { type: ['string', 'null'] },
    ariWindow: {
      type: ['object', 'null'],
      description: "The CA's suggested renewal window (RFC 9773), when it offers ARI.",
      properties: {
        start: { type: 'string' },
        end: { type: 'string' },
        explanationUrl: { type: ['string', 'null'] },
      },
    },
    renewAt: { type: 'string', description: 'When it is renewed next (or retried after a failure).' },
    failures: { type: 'integer', description: 'Failed attempts in a row.' },
    lastError: {
      type: ['object', 'null'],
      description: "The last failure: what to do, and the CA's problem document when it sent one.",
      properties: {
        at: { type: 'string' },
        code: { type: 'string' },
        message: { type: 'string' },
        problem: { type: 'object', additionalProperties: true },
      },
    },
  },
};

/** `/certificates/`, `/certificates/{id}` and its renew and revoke actions. */
export const certificatesPaths = (
  errors: (...statuses: number[]) => Record<string, unknown>,
  json: (ref: string) => Record<string, unknown>,
) => {
  const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
  return {
    '/certificates/': {
      get: {
        summary: 'Automatic certificates: names, issuer, expiry, profile, ARI window, last error',
        responses: {
          '200': { description: 'Certificates (an empty list when ACME is off)' },
          ...errors(401),
        },
      },
    },
    '/certificates/{id}': {
      parameters: idParam,
      get: {
        summary: 'Read a certificate',
        responses: {
          '200': { description: 'Certificate', ...json('Certificate') },
          ...errors(401, 404, 409),
        },
      },
    },
    '/certificates/{id}/chain': {
      parameters: idParam,
      get: {
        summary:
          "The issued chain (PEM, leaf first): public, for a client's trust, such as a vehicle config's ca",
        responses: {
          '200': { description: 'The chain', content: { 'application/pem-certificate-chain': {} } },
          ...errors(401, 404, 409),
        },
      },
    },
    '/certificates/{id}/renew': {
      parameters: idParam,
      post: {
        summary: 'Renew now, whatever the schedule; answers once the attempt is over',
        responses: {
          '200': { description: 'The certificate after the attempt', ...json('Certificate') },
          ...errors(401, 404, 409),
        },
      },
    },
    '/certificates/{id}/revoke': {
      parameters: idParam,
      post: {
        summary: 'Revoke at the CA and order a replacement',
        responses: {
          '200': { description: 'The certificate after its replacement was ordered', ...json('Certificate') },
          ...errors(401, 404, 409, 502, 503),
        },
      },
    },
  };
};
