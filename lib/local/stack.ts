import { AsyncResource } from 'node:async_hooks';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';
import { ROUTES } from '../http/routes';
import { newId } from '../ids';
import { sleep } from '../async';
import { applyEnvironment, awsEndpoints, config, dynamodbLocalCredentials, localStackSettings } from '../config';
import { log } from '../log';
import { setLocalInvoker } from '../storage/functions';
import { isListKey } from '../storage/layout';
import { resetSesClient } from '../storage/mail';
import { resetDynamoClient } from '../table/client';
import { startGateway } from './gateway';
import { loadOrCreateSecret, signLocalToken } from './jwt';
import { startLocalDispatcher } from './dispatcher';
import { localJobs, startLocalSchedules, type LocalSchedules } from './schedules';
import { ensureTable } from '../table/provision';
import { seedDemoUsers } from './seed';
import { startDynamoDbLocal, startS3Server, startSes, type RunningService } from './services';

/**
 * The whole backend on one machine, no cloud account: DynamoDB Local, an S3 server, the SES emulator and a local
 * API gateway calling the real Lambda handlers in this process. `npm start` and the integration tests both use it.
 */

export interface LocalStackOptions {
  apiPort: number;
  dynamodbPort: number;
  s3Port: number;
  sesPort: number;
  dataDir: string;
  bucket: string;
  tableName: string;
  senderEmail?: string;
  /** Use an already running DynamoDB (the test suite shares one JVM across files). */
  dynamodbEndpoint?: string;
  /** Keep DynamoDB in memory instead of under dataDir. */
  inMemory?: boolean;
  /**
   * A database of its own on DynamoDB Local: the access key the product signs with, on a DynamoDB Local started
   * without -sharedDb (the tests' own, or `dynamodbEndpoint`'s). Without it, the one shared database.
   */
  dynamodbAccessKey?: string;
  seed?: boolean;
  /** Run the scheduled jobs at their times (default); without, they run only when fired (the tests fire them). */
  scheduleTimers?: boolean;
}

export interface LocalStack {
  apiUrl: string;
  dynamodbUrl: string;
  /** The credentials that reach this stack's database on DynamoDB Local. */
  dynamodbCredentials: { accessKeyId: string; secretAccessKey: string };
  s3Url: string;
  sesUrl: string;
  tableName: string;
  bucket: string;
  token(userId: string, role?: string): Promise<string>;
  /** Stops or restarts the SES emulator on its port, as an SES outage would (its inbox survives). */
  setSesAvailable(available: boolean): Promise<void>;
  /** Resolves when every intake and export invocation started so far has finished (tests wait on it). */
  intakeIdle(): Promise<void>;
  /** Resolves when the outbox is quiet: every notification written so far dispatched, nothing due now. */
  outboxIdle(): Promise<void>;
  /** The cloud's schedules (the morning digest, the weekly report): when each job fires next, and a job fired at once as if at a time. */
  schedules: Pick<LocalSchedules, 'nextRuns' | 'fire'>;
  stop(): Promise<void>;
}

export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function defaultOptions(): LocalStackOptions {
  return localStackSettings();
}

/** S3 event keys arrive URL-encoded (spaces as `+`), as AWS sends them; the intake handler decodes them. */
function encodeEventKeys(event: S3Event): S3Event {
  return {
    Records: event.Records.map((record) => ({
      ...record,
      s3: {
        ...record.s3,
        object: {
          ...record.s3.object,
          key: record.s3.object.key
            .split('/')
            .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
            .join('/'),
        },
      },
    })),
  };
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const started: RunningService[] = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
  };
  try {
    const dynamodb = options.dynamodbEndpoint
      ? { url: options.dynamodbEndpoint, port: Number(new URL(options.dynamodbEndpoint).port), stop: async () => undefined }
      : await startDynamoDbLocal({
          port: options.dynamodbPort,
          dataDir: options.inMemory ? undefined : join(options.dataDir, 'dynamodb'),
          sharedDb: options.dynamodbAccessKey === undefined,
        });
    started.push(dynamodb);
    const s3 = await startS3Server({ port: options.s3Port, dataDir: join(options.dataDir, 's3'), buckets: [options.bucket] });
    started.push(s3);
    let ses = await startSes({ port: options.sesPort });
    let sesUp = true;
    started.push({ ...ses, stop: async () => (sesUp ? ses.stop() : undefined) });

    // The handlers read their configuration from the environment, as in Lambda.
    applyEnvironment({
      TABLE_NAME: options.tableName,
      INTAKE_BUCKET: options.bucket,
      SENDER_EMAIL: options.senderEmail ?? 'no-reply@example.com',
      DYNAMODB_ENDPOINT: dynamodb.url,
      S3_ENDPOINT: s3.url,
      SES_ENDPOINT: ses.url,
      AWS_REGION: awsEndpoints().region,
      AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
      CURSOR_SECRET: loadOrCreateSecret(join(options.dataDir, 'cursor-secret')).toString('base64'),
      ERASURE_SECRET: loadOrCreateSecret(join(options.dataDir, 'erasure-secret')).toString('base64'),
      DYNAMODB_LOCAL_ACCESS_KEY: options.dynamodbAccessKey ?? 'local',
      // No CloudWatch here to read embedded metrics, and no X-Ray daemon (the Tracer also turns itself off outside Lambda).
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    resetDynamoClient();
    resetSesClient();

    await ensureTable(options.tableName);
    if (options.seed !== false) await seedDemoUsers();

    // Loaded only now, so that nothing reads the environment before it is set.
    const { httpHandlers } = await import('../../functions/http/index');
    const intake = await import('../../functions/intake/handler');
    const intakeFailures = await import('../../functions/intake/failures');
    const exportWorker = await import('../../functions/exports/handler');
    const notifications = await import('../../functions/notifications/handler');
    const dailyDigest = await import('../../functions/jobs/daily-digest');
    const weeklyReport = await import('../../functions/jobs/weekly-report');
    const jwtSecret = loadOrCreateSecret(join(options.dataDir, 'jwt-secret'));
    const gateway = await startGateway({ port: options.apiPort, routes: ROUTES, handlers: httpHandlers as never, jwtSecret });
    started.push(gateway);

    // Like Lambda's asynchronous invocation: run the intake for each event, retry twice on failure, then hand
    // Lambda's record of the failure to the failure queue's consumer, as the cloud does.
    const running = new Set<Promise<void>>();
    const invokeIntake = (event: Parameters<typeof intake.handler>[0]) => {
      const invocation = (async () => {
        let errorType = 'Error';
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            await intake.handler(event);
            return;
          } catch (error) {
            errorType = (error as Error).name;
            log.error('intake invocation failed', { attempt, errorName: errorType, errorMessage: (error as Error).message });
            await sleep(200 * (attempt + 1));
          }
        }
        const failed = {
          requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
          requestPayload: event,
          responsePayload: { errorType },
        };
        const { batchItemFailures } = await intakeFailures.handler({ Records: [{ messageId: newId(), body: JSON.stringify(failed) }] } as never);
        if (batchItemFailures.length > 0) log.error('a failed intake event could not be given up');
      })();
      running.add(invocation);
      void invocation.finally(() => running.delete(invocation));
    };
    s3.onObjectCreated((event) => {
      if (event.Records.some((r) => isListKey(r.s3.object.key))) invokeIntake(encodeEventKeys(event));
    });
    // A long import hands itself to a fresh invocation, and POST /exports starts the export worker, asynchronously
    // as in the cloud; the export is tracked with the intake so tests can wait for both.
    // Like a Lambda invocation of its own, it runs apart from the request that started it: in the async context of
    // the stack's start, so nothing scoped to that request (a test's record of which function made a table call)
    // follows it into the worker.
    const apart = new AsyncResource('LocalAsyncInvocation');
    setLocalInvoker(async (target, payload) =>
      apart.runInAsyncScope(() => {
        if (target === 'intake') return invokeIntake(payload as Parameters<typeof intake.handler>[0]);
        const run = exportWorker.handler(payload as { exportId: string }).catch((error) => log.error('export invocation failed', { errorName: (error as Error).name }));
        running.add(run);
        void run.finally(() => running.delete(run));
      }),
    );

    // The outbox's consumer: the table's stream and a timer, both into the cloud's handler.
    const dispatcher = await startLocalDispatcher({
      endpoint: dynamodb.url,
      tableName: options.tableName,
      handler: notifications.handler as never,
      sweepMs: config.localSweepMs(),
    });
    started.push({ url: '', port: 0, stop: () => dispatcher.stop() });

    // The scheduled jobs, at the times the cloud's EventBridge schedules run them, into the same handlers.
    const schedules = startLocalSchedules(localJobs({ dailyDigest: dailyDigest.handler, weeklyReport: weeklyReport.handler }), { timers: options.scheduleTimers ?? true });
    started.push({ url: '', port: 0, stop: async () => schedules.stop() });

    return {
      apiUrl: gateway.url,
      dynamodbUrl: dynamodb.url,
      dynamodbCredentials: dynamodbLocalCredentials(),
      s3Url: s3.url,
      sesUrl: ses.url,
      tableName: options.tableName,
      bucket: options.bucket,
      token: (userId, role = 'user') => signLocalToken(jwtSecret, userId, role),
      setSesAvailable: async (available) => {
        if (available === sesUp) return;
        if (available) ses = await startSes({ port: ses.port });
        else await ses.stop();
        sesUp = available;
      },
      intakeIdle: async () => {
        while (running.size > 0) await Promise.allSettled([...running]);
      },
      outboxIdle: () => dispatcher.idle(),
      schedules: { nextRuns: schedules.nextRuns, fire: schedules.fire },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
