// One small error hierarchy for the whole API. A 4xx message is shown to the caller as written;
// anything else becomes a generic 500 and its details go to the log only. It belongs to the API's
// contract, beside its parameter and answer schemas: the queries throw these errors on bad input, the
// handlers (lambdas/shared/http.ts) answer them, and the stack's gateway responses use the same body.

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

/** A bad request parameter or body. The message must name the parameter. */
export class BadRequestError extends AppError {
  readonly status = 400;
  constructor(
    message: string,
    readonly code = 'bad_request',
  ) {
    super(message);
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

/** The request conflicts with one in progress (the same Idempotency-Key, still being answered). */
export class ConflictError extends AppError {
  readonly status = 409;
  readonly code = 'conflict';
}

/** Well-formed, but not processable as sent (an Idempotency-Key reused with another body). */
export class UnprocessableEntityError extends AppError {
  readonly status = 422;
  readonly code = 'unprocessable_entity';
}

export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly code = 'too_many_requests';
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

export const GENERIC_500: ErrorBody = errorBody(
  'internal_error',
  'The server could not answer this request.',
);
