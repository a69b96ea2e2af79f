import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  type ISchedule,
  type IScheduleTarget,
  type ScheduleTargetConfig,
} from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DAILY_DIGEST_JOB, DAILY_DIGEST_SCHEDULE } from '../lib/digest/schedule';
import { backendFunction } from './function-defaults';
import { DAILY_DIGEST_GRANTS } from './job-grants';
import { grantTableAccess } from './route-group-grants';
import type { Storage } from './storage';

export interface JobsProps {
  storage: Storage;
  /** The front-end's origin, for the links in the digest's e-mails. */
  appBaseUrl?: string;
  /** DIGEST_UNTOUCHED_BUSINESS_DAYS; lib/config.ts's default (2) when absent. */
  digestUntouchedBusinessDays?: number;
}

/**
 * The scheduled jobs: the morning digest (functions/jobs/daily-digest.ts) on an EventBridge Scheduler schedule at
 * 08:00 Asia/Tokyo, Monday to Friday (lib/digest/schedule.ts; the job itself skips public holidays).
 *
 * The function may read what the digest reads and write the notifications it makes (infra/job-grants.ts), nothing
 * else: the dispatcher sends the mail. The scheduler's role may invoke that one function and put an undelivered
 * invocation in the failure queue. Delivery is retried for an hour; the function, invoked asynchronously, is tried
 * twice more within two hours of the schedule's time (a retry still makes that morning's digest and skips those
 * already written); what fails every attempt, at either step, lands in the failure queue.
 */
export class Jobs extends Construct {
  readonly dailyDigest: NodejsFunction;
  readonly dailyDigestSchedule: Schedule;
  readonly schedulerRole: Role;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const { storage } = props;

    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the schedule and the failure destination of the job; a dead-letter queue behind it would catch nothing.',
    });

    this.dailyDigest = backendFunction(this, 'DailyDigest', {
      entry: 'functions/jobs/daily-digest.ts',
      description: 'The morning digest: each user its overdue and due tasks and untouched leads, through the outbox',
      timeout: Duration.minutes(10),
      retryAttempts: 2,
      maxEventAge: Duration.hours(2),
      onFailure: new SqsDestination(this.failures),
      environment: {
        TABLE_NAME: storage.table.tableName,
        ...(props.appBaseUrl && { APP_BASE_URL: props.appBaseUrl }),
        ...(props.digestUntouchedBusinessDays !== undefined && { DIGEST_UNTOUCHED_BUSINESS_DAYS: String(props.digestUntouchedBusinessDays) }),
      },
    });
    grantTableAccess(this.dailyDigest, DAILY_DIGEST_GRANTS, storage);

    const target = new InvokeOnly(this, 'Scheduler', this.dailyDigest, this.failures);
    this.schedulerRole = target.role;
    this.dailyDigestSchedule = new Schedule(this, 'DailyDigestSchedule', {
      description: 'The morning digest, 08:00 in Japan on weekdays (the job skips public holidays)',
      schedule: ScheduleExpression.cron({ ...DAILY_DIGEST_SCHEDULE.cron, timeZone: TimeZone.of(DAILY_DIGEST_SCHEDULE.timeZone) }),
      target,
    });
  }
}

/**
 * A Lambda target whose role may invoke the function itself and nothing more (aws-scheduler-targets' LambdaInvoke
 * grants its versions and aliases too, `:*`), with the event the job reads and the schedule's retry policy.
 */
class InvokeOnly implements IScheduleTarget {
  readonly role: Role;

  constructor(
    scope: Construct,
    id: string,
    private readonly fn: IFunction,
    private readonly deadLetterQueue: IQueue,
  ) {
    const stack = Stack.of(scope);
    this.role = new Role(scope, `${id}Role`, {
      description: 'EventBridge Scheduler: invokes the morning digest',
      // Only schedules of this account's default group may act as this role (the confused-deputy guard).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }));
  }

  bind(_schedule: ISchedule): ScheduleTargetConfig {
    return {
      arn: this.fn.functionArn,
      role: this.role,
      input: ScheduleTargetInput.fromObject({ job: DAILY_DIGEST_JOB, scheduledTime: ContextAttribute.scheduledTime }),
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
    };
  }
}
