/**
 * The product's own errors. Adapters translate AWS SDK errors into these; the HTTP layer maps them to
 * problem+json in one place (lib/http/problem.ts). Match them with `instanceof`, never by name strings.
 */

export interface FieldIssue {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  /** Extra members for the problem document (e.g. the current version on a conflict). */
  readonly extensions: Record<string, unknown>;

  constructor(message: string, options?: { cause?: unknown; extensions?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.extensions = options?.extensions ?? {};
  }
}

/** 400: the request could not be read at all (malformed JSON, bad cursor). */
export class BadRequestError extends DomainError {
  override readonly name = 'BadRequestError';
  readonly status = 400;
  readonly title = 'Bad request';
}

/** 401: no identity, or one the gateway did not vouch for. */
export class UnauthorizedError extends DomainError {
  override readonly name = 'UnauthorizedError';
  readonly status = 401;
  readonly title = 'Unauthorized';
}

/** 403: the caller is known but its role or ownership forbids the action. */
export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  readonly title = 'Forbidden';
}

/** 404: unknown id, or a resource the caller may not see (never reveal that it exists). */
export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly title = 'Not found';
}

/** 409: stale version, or a duplicate of something that must be unique. */
export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  readonly status = 409;
  readonly title = 'Conflict';
}

/** 410: the resource existed and is gone for good (a lead erased on request keeps only an anonymous tombstone). */
export class GoneError extends DomainError {
  override readonly name = 'GoneError';
  readonly status = 410;
  readonly title = 'Gone';
}

/** 413: the request body is larger than the API accepts. */
export class PayloadTooLargeError extends DomainError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly title = 'Payload too large';
}

/** 422: well-formed input that breaks the schema or a business rule. */
export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly status = 422;
  readonly title = 'Unprocessable content';
  readonly errors: FieldIssue[];

  constructor(message: string, errors: FieldIssue[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.errors = errors;
  }
}

/** 429: DynamoDB or a downstream service throttled us after our own retries. */
export class ThrottledError extends DomainError {
  override readonly name = 'ThrottledError';
  readonly status = 429;
  readonly title = 'Too many requests';
}

/** Configuration missing or invalid at cold start: fail fast, never limp on with defaults. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
