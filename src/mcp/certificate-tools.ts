import { z } from 'zod';
import { adminTool, record } from './tool-kit.ts';

const certificateId = z
  .string()
  .regex(/^[a-f0-9]{1,64}$/, 'a certificate id is hexadecimal, as list_certificates shows it')
  .describe('The certificate id, as list_certificates shows it');

const certificateShape = record({
  id: z.string(),
  names: z.array(z.string()),
  status: z.enum(['pending', 'valid', 'near-expiry', 'expired', 'revoked']),
  issuer: z.string().nullable(),
  notAfter: z.string().nullable(),
  profile: z.string().nullable(),
  renewAt: z.string(),
  failures: z.number(),
});

/** Automatic certificates (ACME): their state, a forced renewal and a revocation. */
export const CERTIFICATE_TOOLS = [
  adminTool({
    name: 'list_certificates',
    title: 'List certificates',
    description:
      "Lists the certificates Gatehouse gets and renews by ACME: names, status (pending, valid, near-expiry, expired, revoked), issuer, expiry, profile, when it renews next (the CA's ARI window when it offers one), failed attempts and the last error with the CA's problem document. Empty when automatic certificates are off.",
    effect: 'read',
    input: z.object({}).strict(),
    output: z.object({ certificates: z.array(certificateShape) }),
    run: async (service) => ({ certificates: await service.listCertificates() }),
  }),
  adminTool({
    name: 'renew_certificate',
    title: 'Renew a certificate now',
    description:
      'Orders a new certificate for the same names at once, instead of waiting for its renewal time; the old one is served until the new one is issued. Use it after fixing what made a renewal fail.',
    effect: 'change',
    input: z.object({ id: certificateId }).strict(),
    output: z.object({ certificate: certificateShape }),
    run: async (service, { id }) => ({ certificate: await service.renewCertificate(id) }),
  }),
  adminTool({
    name: 'revoke_certificate',
    title: 'Revoke a certificate',
    description:
      'Revokes a certificate at its CA (say, after its private key may have leaked) and orders a new one for its names. Clients that check revocation stop trusting the old one.',
    effect: 'delete',
    input: z.object({ id: certificateId }).strict(),
    output: z.object({ certificate: certificateShape }),
    run: async (service, { id }) => ({ certificate: await service.revokeCertificate(id) }),
  }),
];
