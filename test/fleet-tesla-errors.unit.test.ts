import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainTeslaAnswer, readTeslaAnswer } from '../src/fleet/api/tesla-error.ts';

// Tesla's error answers as the Fleet API docs and captured traffic show them.
const cases: {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  code: string;
  says: RegExp;
}[] = [
  {
    status: 401,
    body: { response: null, error: 'token expired (401)', error_description: '' },
    code: 'FLEET_TOKEN_EXPIRED',
    says: /expired.*get a new one/,
  },
  {
    status: 401,
    body: { error: 'login_required', error_description: 'Login required' },
    code: 'FLEET_LOGIN_REQUIRED',
    says: /log in again/,
  },
  {
    status: 401,
    body: {
      error: 'unauthorized_client',
      error_description: "We don't recognize this client_id and client_secret combination.",
    },
    code: 'FLEET_CLIENT_REJECTED',
    says: /TESLA_CLIENT_ID/,
  },
  {
    status: 403,
    body: { response: null, error: 'Unauthorized missing scopes', error_description: '' },
    code: 'FLEET_MISSING_SCOPES',
    says: /log in again to grant/,
  },
  {
    status: 408,
    body: {
      response: null,
      error: 'vehicle unavailable: vehicle is offline or asleep',
      error_description: '',
    },
    code: 'FLEET_VEHICLE_OFFLINE',
    says: /wake it/,
  },
  {
    status: 412,
    body: {
      error:
        'Account abc must be registered in the current region https://fleet-api.prd.eu.vn.cloud.tesla.com',
    },
    code: 'FLEET_PARTNER_UNREGISTERED',
    says: /partner register/,
  },
  {
    status: 421,
    body: {
      response: null,
      error:
        'user out of region, use base URL: https://fleet-api.prd.eu.vn.cloud.tesla.com, see https://developer.tesla.com/docs/fleet-api#regional-requirements',
    },
    code: 'FLEET_WRONG_REGION',
    says: /use https:\/\/fleet-api\.prd\.eu\.vn\.cloud\.tesla\.com \(--region/,
  },
  {
    status: 429,
    body: { response: null, error: 'Retry in 37829 seconds' },
    code: 'FLEET_RATE_LIMITED',
    says: /try again in 37829 seconds/,
  },
  {
    status: 429,
    body: 'Too Many Requests',
    headers: { 'retry-after': '12' },
    code: 'FLEET_RATE_LIMITED',
    says: /in 12 seconds/,
  },
  {
    status: 404,
    body: { response: null, error: '5YJ3E7EB2NF000001 not_found' },
    code: 'FLEET_NOT_FOUND',
    says: /check the VIN/,
  },
  { status: 400, body: { error: 'invalid_audience' }, code: 'FLEET_WRONG_REGION', says: /TESLA_AUDIENCE/ },
  {
    status: 422,
    body: { response: null, error: 'Validation failed', messages: { domain: ['is invalid'] } },
    code: 'FLEET_REQUEST_REJECTED',
    says: /Validation failed/,
  },
  { status: 503, body: '<html>busy</html>', code: 'FLEET_UNAVAILABLE', says: /try again later/ },
  { status: 0, body: 'ECONNREFUSED', code: 'FLEET_UNAVAILABLE', says: /ECONNREFUSED/ },
];

test("each of Tesla's error answers maps to its code and says what to do", () => {
  for (const c of cases) {
    const answer = readTeslaAnswer(c.status, c.body, new Headers({ 'x-txid': 'abc123', ...c.headers }));
    const error = explainTeslaAnswer(answer, 'GET /api/1/vehicles');
    assert.equal(error.code, c.code, `${c.status} ${JSON.stringify(c.body)}`);
    assert.match(error.message, c.says, error.message);
    assert.match(error.message, /txid abc123/, 'the txid is kept for Tesla support');
  }
});
