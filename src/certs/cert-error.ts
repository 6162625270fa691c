import { type CertErrorCode, GatehouseError, type GatehouseErrorOptions } from '../core/errors.ts';

/** What a CA said when it refused: RFC 8555 §6.7 problem document fields, as received. */
export interface AcmeProblem {
  readonly type?: string | undefined;
  readonly detail?: string | undefined;
  readonly status?: number | undefined;
  readonly subproblems?:
    | readonly { type?: string; detail?: string; identifier?: { value?: string } }[]
    | undefined;
}

/** A certificate that could not be ordered, renewed or served; `problem` is the CA's when it sent one. */
export class CertError extends GatehouseError<CertErrorCode> {
  readonly problem: AcmeProblem | undefined;
  /** Seconds the CA asked to wait (`Retry-After`), when it did. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: CertErrorCode,
    message: string,
    options?: GatehouseErrorOptions & { problem?: AcmeProblem; retryAfterSeconds?: number | undefined },
  ) {
    super(code, message, options);
    this.problem = options?.problem;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}
