import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, ValidationError, type FieldIssue } from '../errors';

/**
 * RFC 9457 problem documents, built in one place. Client errors explain themselves; anything else becomes a plain
 * 500 that names the request id and never leaks a stack trace or an AWS error text.
 */

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldIssue[];
  [extension: string]: unknown;
}

const slug = (title: string) => title.toLowerCase().replace(/[^a-z]+/g, '-');

export function problemFor(error: unknown, requestId: string): Problem {
  if (error instanceof DomainError) {
    return {
      type: `/problems/${slug(error.title)}`,
      title: error.title,
      status: error.status,
      detail: error.message,
      ...(error instanceof ValidationError ? { errors: error.errors } : {}),
      ...error.extensions,
    };
  }
  return {
    type: '/problems/internal-error',
    title: 'Internal server error',
    status: 500,
    detail: `Something went wrong on our side. Quote request id ${requestId} when reporting it.`,
  };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(problem),
  };
}
