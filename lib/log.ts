import { Logger } from '@aws-lambda-powertools/logger';
import { config } from './config';

/**
 * Structured JSON logs, one line per event, written by Powertools for AWS Lambda's Logger: in a function each line
 * carries the request id, the cold start, the function and the X-Ray trace id (the handler chains add the Lambda
 * context, lib/observability.ts). Personal data never goes to logs: any field whose name suggests an e-mail address,
 * phone number or person's name is replaced before the Logger sees it, at any depth.
 */

const PII_FIELD = /e-?mail|phone|mobile|tel$|^name$|namekana|address|token|authorization|secret|password/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = PII_FIELD.test(k) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * The Logger writes every level it is given; LOG_LEVEL is read at each line here instead, so a test or the local
 * stack that changes it sees the change at once (the Logger reads its level once, when it is made).
 */
export const logger = new Logger({ serviceName: config.serviceName(), logLevel: 'DEBUG' });

function threshold(): number {
  const level = config.logLevel() as Level | 'silent';
  return ORDER[level] ?? ORDER.info;
}

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < threshold()) return;
  logger[level](message, redact(fields ?? {}) as Record<string, unknown>);
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};

export { redact as redactForLog };
