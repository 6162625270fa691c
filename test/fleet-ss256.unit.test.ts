import assert from 'node:assert/strict';
import { createECDH, createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { fleetKeyFromPem } from '../src/fleet/keys.ts';
import {
  deterministicNonce,
  P256_ORDER,
  schnorrSign,
  signSs256Jws,
  TELEMETRY_AUDIENCE,
} from '../src/fleet/ss256.ts';
import { Ss256Error, schnorrVerify, verifySs256Jws } from '../src/fleet/ss256-verify.ts';

// Vectors: RFC 6979 appendix A.2.5 and teslamotors/vehicle-command (internal/schnorr,
// internal/authentication), where the private scalar 3 signs "hello world".
const scalarThree = Buffer.alloc(32);
scalarThree[0] = 3;
const helloWorldSignature =
  '7cfdbeb5baa73054 0401550bdefa2097 6453e8539ae4b2f2 6ce33125801a08f9 0ed20c3d846497ff 82cc9772e3db4703' +
  ' 982f47bd0b0b89df b9a49cd2e5240546 02b1e05fbf95f568 6faea7a5809eb92f 5ecc22eae74ceccc 5e2a65dd67ff20fc';
const hex = (text: string) => Buffer.from(text.replaceAll(' ', ''), 'hex');

const newKey = () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return fleetKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'test key');
};

test('the nonce is RFC 6979 A.2.5 for P-256 with SHA-256 ("sample")', () => {
  const scalar = hex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721');
  const nonce = deterministicNonce(scalar, createHash('sha256').update('sample').digest());
  assert.equal(nonce.toString('hex'), 'a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60');
});

test('a first nonce candidate above the group order is sampled again', () => {
  const digest = hex('0080c36864c5f2f460e3767983c65677b65cef901bcedcb223f9b365c68f52f6');
  const nonce = deterministicNonce(scalarThree, digest);
  assert.ok(BigInt(`0x${nonce.toString('hex')}`) < P256_ORDER);
  assert.equal(nonce.toString('hex'), '264fc6592fbea24fd0954e0b86b886e8743161758ddad2f7e9fed75a0019e005');
});

test("the signature of 'hello world' by scalar 3 is Tesla's, byte for byte", () => {
  assert.deepEqual(schnorrSign(scalarThree, Buffer.from('hello world')), hex(helloWorldSignature));
});

test("the verifier accepts Tesla's signed token with a per-vehicle audience", () => {
  const publicPoint = hex(
    '04775e2ef570d292df424c09f70e7d95678d5ce78124acb3f9375b198a4da9f9e9f0cc6d880e2e606e9b01b0fa62c6150e371aa5d8f7f09cc9e1bd3a1b449893ec',
  );
  const token =
    'eyJhbGciOiJUZXNsYS5TUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJjb20udGVzbGEudmVoaWNsZS5NM1RFUkFTSElNQUJVQ0swMSIsImZvbyI6ImJhciIsImlzcyI6IkJIZGVMdlZ3MHBMZlFrd0o5dzU5bFdlTlhPZUJKS3l6K1RkYkdZcE5xZm5wOE14dGlBNHVZRzZiQWJENllzWVZEamNhcGRqMzhKeko0YjA2RzBTWWsrdz0ifQ.4Xq2tsynDYOhLBWpnqLJfsAzdOqTOwHkVowI47A-yzVXIQHaawObJvAYRoRs61oVwWiEQ7XYXG8WE_Vz_49eVirAV9NGKymj3HBTTjN5DmViWmFzfaIOXRWKJlE--vzU';
  const verified = verifySs256Jws(token, {
    issuer: publicPoint,
    audience: 'com.tesla.vehicle.M3TERASHIMABUCK01',
  });
  assert.equal(verified.claims['foo'], 'bar');
  assert.throws(() => verifySs256Jws(token, { audience: TELEMETRY_AUDIENCE }), { failure: 'audience' });
});

test("the verifier checks Tesla's Schnorr vector and refuses it changed", () => {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(scalarThree);
  const publicPoint = ecdh.getPublicKey();
  const signature = hex(helloWorldSignature);
  assert.equal(schnorrVerify(publicPoint, Buffer.from('hello world'), signature), true);
  assert.equal(schnorrVerify(publicPoint, Buffer.from('hello worle'), signature), false);
  for (const index of [0, 32, 95]) {
    const flipped = Buffer.from(signature);
    flipped[index] = (flipped[index] ?? 0) ^ 1;
    assert.equal(schnorrVerify(publicPoint, Buffer.from('hello world'), flipped), false, `byte ${index}`);
  }
  assert.equal(schnorrVerify(publicPoint, Buffer.from('hello world'), signature.subarray(0, 95)), false);
  const zeroKey = Buffer.alloc(65);
  zeroKey[0] = 4;
  assert.equal(schnorrVerify(zeroKey, Buffer.from('hello world'), signature), false);
});

const config = {
  hostname: 'telemetry.example.com',
  port: 4443,
  ca: '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n',
  fields: { VehicleSpeed: { interval_seconds: 10 }, Soc: { interval_seconds: 60, minimum_delta: 1 } },
  alert_types: ['service'],
  exp: 1_900_000_000,
};

test("a signed telemetry config has Tesla's header, iss and aud, and sorted claims", () => {
  const key = newKey();
  const token = signSs256Jws(key, { ...config, iss: 'forged', aud: 'forged' });
  const [head = '', body = '', signature = ''] = token.split('.');
  assert.equal(Buffer.from(head, 'base64url').toString(), '{"alg":"Tesla.SS256","typ":"JWT"}');
  assert.doesNotMatch(token, /=/);
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
  assert.equal(claims['aud'], TELEMETRY_AUDIENCE);
  assert.equal(claims['iss'], Buffer.from(key.publicPoint).toString('base64'));
  assert.equal(String(claims['iss']).length, 88);
  assert.deepEqual(Object.keys(claims), [...Object.keys(claims)].sort());
  assert.deepEqual(claims['fields'], config.fields);
  assert.equal(Buffer.from(signature, 'base64url').length, 96);
});

test('signing is deterministic: the same key and config give the same token', () => {
  const key = newKey();
  assert.equal(signSs256Jws(key, config), signSs256Jws(key, { ...config }));
});

test("the separate verifier accepts Gatehouse's tokens and refuses altered ones", () => {
  const key = newKey();
  const token = signSs256Jws(key, config);
  assert.equal(
    verifySs256Jws(token, { issuer: key.publicPoint, audience: TELEMETRY_AUDIENCE }).claims['port'],
    4443,
  );
  const other = newKey();
  const [head = '', body = '', signature = ''] = token.split('.');
  const flip = (part: string, index: number) => {
    const bytes = Buffer.from(part, 'base64url');
    bytes[index] = (bytes[index] ?? 0) ^ 1;
    return bytes.toString('base64url');
  };
  const reencoded = (part: string, change: (claims: Record<string, unknown>) => Record<string, unknown>) =>
    Buffer.from(JSON.stringify(change(JSON.parse(Buffer.from(part, 'base64url').toString())))).toString(
      'base64url',
    );
  const cases: {
    name: string;
    token: string;
    expect?: Parameters<typeof verifySs256Jws>[1];
    failure: string;
  }[] = [
    {
      name: 'a flipped signature byte',
      token: `${head}.${body}.${flip(signature, 70)}`,
      failure: 'signature',
    },
    { name: 'a flipped claims byte', token: `${head}.${flip(body, 0)}.${signature}`, failure: 'malformed' },
    {
      name: 'a different registered key',
      token,
      expect: { issuer: other.publicPoint },
      failure: 'unknown-issuer',
    },
    {
      name: 'the signature of another key under this iss',
      token: `${head}.${body}.${signSs256Jws(other, config).split('.')[2]}`,
      failure: 'signature',
    },
    { name: 'a wrong aud', token, expect: { audience: 'com.tesla.fleet.Other' }, failure: 'audience' },
    {
      name: 'alg none',
      token: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.${signature}`,
      failure: 'algorithm',
    },
    { name: 'two parts', token: `${head}.${body}`, failure: 'malformed' },
    {
      name: 'iss as base64url without padding',
      token: `${head}.${reencoded(body, (c) => ({ ...c, iss: Buffer.from(key.publicPoint).toString('base64url') }))}.${signature}`,
      expect: {},
      failure: 'issuer',
    },
    { name: 'not base64url', token: `${head}.${body}.abc+def`, failure: 'malformed' },
  ];
  for (const c of cases) {
    assert.throws(
      () => verifySs256Jws(c.token, c.expect ?? { issuer: key.publicPoint, audience: TELEMETRY_AUDIENCE }),
      (error: unknown) => error instanceof Ss256Error && error.failure === c.failure,
      c.name,
    );
  }
});

test('a claims byte flipped inside valid JSON fails the signature check', () => {
  const key = newKey();
  const token = signSs256Jws(key, config);
  const [head = '', body = '', signature = ''] = token.split('.');
  const claims = Buffer.from(body, 'base64url').toString().replace('4443', '4444');
  const altered = `${head}.${Buffer.from(claims).toString('base64url')}.${signature}`;
  assert.throws(() => verifySs256Jws(altered, { issuer: key.publicPoint }), { failure: 'signature' });
});
