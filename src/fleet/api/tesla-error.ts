import { GatehouseError, type TeslaErrorCode } from '../../core/errors.ts';

/** What Tesla said, kept for messages and `--json` output. */
export interface TeslaAnswer {
  readonly status: number;
  /** Tesla's `error` (or the OAuth `error`), when there is one. */
  readonly error: string | undefined;
  readonly description: string | undefined;
  readonly txid: string | undefined;
  /** Seconds until a rate limit resets (`retry-after` or `ratelimit-reset`). */
  readonly retryAfterSeconds: number | undefined;
  /** For 421: the base URL Tesla names for the user's region. */
  readonly regionBaseUrl: string | undefined;
}

/** A Tesla (or simulator) answer that was not a success, with what to do about it. */
export class TeslaApiError extends GatehouseError<TeslaErrorCode> {
  readonly answer: TeslaAnswer;
  constructor(code: TeslaErrorCode, message: string, answer: TeslaAnswer) {
    super(code, message);
    this.answer = answer;
  }
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** Reads Tesla's error shapes (`{error, error_description, txid}`, 412's bare `{error}`, plain text). */
export function readTeslaAnswer(status: number, body: unknown, headers: Headers): TeslaAnswer {
  const object = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const error =
    text(object['error']) ?? (typeof body === 'string' ? body.slice(0, 300) || undefined : undefined);
  const seconds = Number(
    headers.get('retry-after') ??
      headers.get('ratelimit-reset') ??
      /Retry in (\d+) seconds/i.exec(error ?? '')?.[1],
  );
  const region = /use base URL:\s*(https?:\/\/[^\s,]+)/i.exec(
    `${error ?? ''} ${text(object['error_description']) ?? ''}`,
  );
  return {
    status,
    error,
    description: text(object['error_description']),
    txid: text(object['txid']) ?? headers.get('x-txid') ?? undefined,
    retryAfterSeconds: Number.isFinite(seconds) ? seconds : undefined,
    regionBaseUrl: region?.[1] ?? undefined,
  };
}

/** Maps an answer to a code and a message that says what to do next; pure. */
export function explainTeslaAnswer(answer: TeslaAnswer, context: string): TeslaApiError {
  const said = [answer.error, answer.description].filter(Boolean).join(': ') || `HTTP ${answer.status}`;
  const tail = `(${context}; Tesla said: ${said}${answer.txid ? `; txid ${answer.txid}` : ''})`;
  const make = (code: TeslaErrorCode, advice: string) => new TeslaApiError(code, `${advice} ${tail}`, answer);
  const error = answer.error ?? '';
  if (error === 'login_required') {
    return make('FLEET_LOGIN_REQUIRED', 'The refresh token was used already or has expired: log in again.');
  }
  if (error === 'unauthorized_client' || error === 'invalid_client' || error === 'invalid_client_id') {
    return make(
      'FLEET_CLIENT_REJECTED',
      'Tesla does not accept the client id and secret: check TESLA_CLIENT_ID and TESLA_CLIENT_SECRET.',
    );
  }
  if (error === 'invalid_audience') {
    return make(
      'FLEET_WRONG_REGION',
      "The audience is not a Fleet API base URL: set --region or TESLA_AUDIENCE to your region's.",
    );
  }
  switch (answer.status) {
    case 401:
      return make(
        'FLEET_TOKEN_EXPIRED',
        'The access token has expired or is not valid: get a new one (log in again, or a new partner token).',
      );
    case 403:
      return make(
        'FLEET_MISSING_SCOPES',
        'The token lacks a scope this call needs: add it to the application on developer.tesla.com and have the user log in again to grant it.',
      );
    case 404:
      return make(
        'FLEET_NOT_FOUND',
        'Tesla does not know this vehicle or resource for this account: check the VIN or id.',
      );
    case 408:
      return make(
        'FLEET_VEHICLE_OFFLINE',
        'The vehicle is asleep or offline: wake it (wake_up) and try again when it is online.',
      );
    case 412:
      return make(
        'FLEET_PARTNER_UNREGISTERED',
        "The application is not registered in this region: run 'gatehouse fleet partner register' with this region's --region.",
      );
    case 421:
      return make(
        'FLEET_WRONG_REGION',
        `This account lives in another region: use ${answer.regionBaseUrl ?? "that region's base URL"} (--region or TESLA_AUDIENCE).`,
      );
    case 429:
      return make(
        'FLEET_RATE_LIMITED',
        `Tesla's rate limit is reached: try again in ${answer.retryAfterSeconds ?? 'a few'} seconds.`,
      );
    default:
      if (answer.status >= 500 || answer.status === 0) {
        return make('FLEET_UNAVAILABLE', 'Tesla did not answer usefully: try again later.');
      }
      return make('FLEET_REQUEST_REJECTED', 'Tesla refused the request as sent: see its message.');
  }
}
