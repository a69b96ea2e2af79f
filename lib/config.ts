import { ConfigError } from './errors';

/**
 * Runtime configuration, read from the environment once per container. Missing required values throw at first
 * use (cold start), so a misconfigured function fails loudly instead of half-working.
 */

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') throw new ConfigError(`environment variable ${name} is required`);
  return value;
}

function optional(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

export interface AwsEndpoints {
  region: string;
  /** Set only on the local stack: the emulators' URLs. In the cloud the SDK finds the real endpoints. */
  dynamodb?: string;
  s3?: string;
  ses?: string;
}

export function awsEndpoints(): AwsEndpoints {
  return {
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'ap-northeast-1',
    dynamodb: optional('DYNAMODB_ENDPOINT'),
    s3: optional('S3_ENDPOINT'),
    ses: optional('SES_ENDPOINT'),
  };
}

export const config = {
  tableName: () => required('TABLE_NAME'),
  intakeBucket: () => required('INTAKE_BUCKET'),
  senderEmail: () => required('SENDER_EMAIL'),
  /** Secret that signs pagination cursors; locally an env value, in the cloud fetched from Secrets Manager. */
  cursorSecret: () => optional('CURSOR_SECRET'),
  cursorSecretArn: () => optional('CURSOR_SECRET_ARN'),
  /** First retry delay of a failed notification e-mail; each further retry waits twice as long (at most an hour). */
  mailRetryBaseMs: () => Number(optional('MAIL_RETRY_BASE_MS') ?? 30_000),
  /** Send attempts before a notification e-mail is marked failed. */
  mailMaxAttempts: () => Number(optional('MAIL_MAX_ATTEMPTS') ?? 8),
  /** The dedupe key: `email` (default) or `email+name` (lib/leads/match-key.ts checks it). */
  matchKey: () => optional('MATCH_KEY') ?? 'email',
  /** Public base URL of the front-end, used for links in e-mails. */
  appBaseUrl: () => optional('APP_BASE_URL') ?? 'http://localhost:3000',
};
