import { ConfigError } from './errors';

/**
 * Runtime configuration: the only module that reads the environment. Values are read when asked for, so a test or
 * the local stack that sets a variable sees it take effect; missing required values throw at first use (cold
 * start), so a misconfigured function fails loudly instead of half-working.
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

/** A whole number from the environment, or the fallback when unset; anything else is a configuration error. */
function integer(name: string, fallback: number): number {
  const value = optional(name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new ConfigError(`environment variable ${name} must be a number, not "${value}"`);
  return parsed;
}

export interface AwsEndpoints {
  region: string;
  /** Set only on the local stack: the emulators' URLs. In the cloud the SDK finds the real endpoints. */
  dynamodb?: string;
  s3?: string;
  ses?: string;
  /** The Cognito emulator, in tests of the first admin. */
  cognito?: string;
}

export function awsEndpoints(): AwsEndpoints {
  return {
    region: optional('AWS_REGION') ?? optional('AWS_DEFAULT_REGION') ?? 'ap-northeast-1',
    dynamodb: optional('DYNAMODB_ENDPOINT'),
    s3: optional('S3_ENDPOINT'),
    ses: optional('SES_ENDPOINT'),
    cognito: optional('COGNITO_ENDPOINT'),
  };
}

/**
 * The credentials the product signs with against DynamoDB Local. Unless it runs with -sharedDb, DynamoDB Local keeps
 * one database per access key and region: the test suite gives each test file a key of its own on one JVM, so no
 * file's stream records slow another's writes (in one shared database every write to a table with a stream slows
 * several times once tens of thousands of stream records exist, whichever table holds them).
 */
export function dynamodbLocalCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: optional('DYNAMODB_LOCAL_ACCESS_KEY') ?? 'local', secretAccessKey: 'local' };
}

export const config = {
  tableName: () => required('TABLE_NAME'),
  intakeBucket: () => required('INTAKE_BUCKET'),
  senderEmail: () => required('SENDER_EMAIL'),
  /** Secret that signs pagination cursors; locally an env value, in the cloud fetched from Secrets Manager. */
  cursorSecret: () => optional('CURSOR_SECRET'),
  cursorSecretArn: () => optional('CURSOR_SECRET_ARN'),
  /**
   * Key of the one-way hashes that remember people erased on request (lib/leads/erased-key.ts); locally an env value,
   * in the cloud fetched from Secrets Manager. Never rotated: a new key would let an erased person's list row through.
   */
  erasureSecret: () => optional('ERASURE_SECRET'),
  erasureSecretArn: () => optional('ERASURE_SECRET_ARN'),
  /** First retry delay of a failed notification e-mail; each further retry waits twice as long (at most an hour). */
  mailRetryBaseMs: () => integer('MAIL_RETRY_BASE_MS', 30_000),
  /** Send attempts before a notification e-mail is marked failed. */
  mailMaxAttempts: () => integer('MAIL_MAX_ATTEMPTS', 8),
  /** The dedupe key: `email` (default) or `email+name` (lib/leads/match-key.ts checks it). */
  matchKey: () => optional('MATCH_KEY') ?? 'email',
  /** Public base URL of the front-end, used for links in e-mails. */
  appBaseUrl: () => optional('APP_BASE_URL') ?? 'http://localhost:3000',
  /** The forms' choice lists as JSON, validated by lib/settings/choices.ts; the defaults when unset. */
  choices: () => optional('CHOICES'),
  /**
   * The service the logs, metrics and traces of this deployment are filed under (POWERTOOLS_SERVICE_NAME): the cloud
   * stack sets it to its stack name, so two stages in one account keep their metrics apart.
   */
  serviceName: () => optional('POWERTOOLS_SERVICE_NAME') ?? 'lead-backend',
  /** Lambda's: the X-Ray daemon beside the function, and the invocation's trace header (lib/tracing.ts). */
  xrayDaemonAddress: () => optional('AWS_XRAY_DAEMON_ADDRESS'),
  lambdaTraceHeader: () => optional('_X_AMZN_TRACE_ID'),
  lambdaHandler: () => optional('_HANDLER'),
  /** The Cognito user pool the first admin's sign-in is created in (the first-admin custom resource). */
  userPoolId: () => required('USER_POOL_ID'),
  /** debug, info (default), warn, error or silent. */
  logLevel: () => (optional('LOG_LEVEL') ?? 'info').toLowerCase(),
  /** The intake function's own name: a long import continues in a fresh invocation of it. */
  selfFunctionName: () => required('SELF_FUNCTION_NAME'),
  /** The export worker, started asynchronously by POST /exports. */
  exportFunctionName: () => required('EXPORT_FUNCTION_NAME'),
  /** Caps an intake invocation's working time below Lambda's own limit (tests force it tiny). */
  intakeTimeBudgetMs: () => integer('INTAKE_TIME_BUDGET_MS', Infinity),
  /** Rows committed at a time by list intake; undefined for the intake's default. */
  intakeChunkRows: () => (optional('INTAKE_CHUNK_ROWS') === undefined ? undefined : integer('INTAKE_CHUNK_ROWS', 0)),
  /** A deployment may accept fewer rows per file than Excel's maximum (the default). */
  intakeMaxRows: () => (optional('INTAKE_MAX_ROWS') === undefined ? undefined : integer('INTAKE_MAX_ROWS', 0)),
  /** How long a notification (its text names leads) is kept; DynamoDB's TTL deletes it after. */
  notificationRetentionDays: () => integer('NOTIFICATION_RETENTION_DAYS', 90),
  /** The largest list a user may upload (the intake function's temporary disk holds the file whole). */
  maxUploadBytes: () => integer('MAX_UPLOAD_BYTES', 200 * 1024 * 1024),
  /**
   * Indexes read under their former names (lib/table/definition.ts REPLACED_INDEXES): the stack sets it for the one
   * deployment that keeps a replaced index beside its successor while DynamoDB builds the successor.
   */
  tableFormerIndexes: () => (optional('TABLE_FORMER_INDEXES') ?? '').split(',').map((name) => name.trim()).filter((name) => name !== ''),
  /** Benchmarks count the capacity units of every table call (lib/table/capacity.ts). */
  tableCapacityMeter: () => optional('TABLE_CAPACITY_METER') === '1',
  /** Items one list page may read before its filter (lib/table/queries.ts ReadBudget). */
  readBudgetItems: () => integer('READ_BUDGET_ITEMS', 2_000),
  /** How long one list page may read before it hands back what it has found. */
  readBudgetMs: () => integer('READ_BUDGET_MS', 3_000),
  /** Index entries GET /stats/pipeline may count, and for how long (lib/stats/pipeline.ts). */
  pipelineReadItems: () => integer('PIPELINE_READ_ITEMS', 250_000),
  pipelineReadMs: () => integer('PIPELINE_READ_MS', 10_000),
  /** Items an assignment by filter may read to find its leads (lib/assignment/plan.ts); twice the most it may move. */
  assignFilterReadItems: () => integer('ASSIGN_FILTER_READ_ITEMS', 40_000),
  /** Items one export may read (lib/exports/run-export.ts). */
  exportReadItems: () => integer('EXPORT_READ_ITEMS', 1_000_000),
  /** Transactions an import keeps in flight at once. */
  intakeConcurrency: () => integer('INTAKE_CONCURRENCY', 4),
  /** How often the local stack sweeps the outbox, in place of the cloud's one-minute schedule. */
  localSweepMs: () => integer('LOCAL_SWEEP_MS', 1000),
  /** The morning digest lists an owner's leads left untouched for more than this many business days. */
  digestUntouchedBusinessDays: () => {
    const days = integer('DIGEST_UNTOUCHED_BUSINESS_DAYS', 2);
    if (!Number.isInteger(days) || days < 0 || days > 60) throw new ConfigError(`environment variable DIGEST_UNTOUCHED_BUSINESS_DAYS must be a whole number from 0 to 60, not "${days}"`);
    return days;
  },
};

/** The local stack's ports, folders and names (api.md, "The local stack"), each overridable by its variable. */
export function localStackSettings() {
  return {
    apiPort: integer('API_PORT', 3000),
    dynamodbPort: integer('DYNAMODB_PORT', 8000),
    s3Port: integer('S3_PORT', 4569),
    sesPort: integer('SES_PORT', 8005),
    dataDir: optional('DATA_DIR') ?? '.local-data',
    bucket: optional('INTAKE_BUCKET') ?? 'lead-intake',
    tableName: optional('TABLE_NAME') ?? 'lead-backend',
    senderEmail: optional('SENDER_EMAIL') ?? 'no-reply@example.com',
  };
}

/**
 * Sets the environment the handlers read, as Lambda would: the local stack points this process at its emulators.
 * The one place that writes it, beside the one place that reads it.
 */
export function applyEnvironment(values: Record<string, string>): void {
  Object.assign(process.env, values);
}
