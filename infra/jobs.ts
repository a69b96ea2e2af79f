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
import { DAILY_DIGEST_JOB, DAILY_DIGEST_SCHEDULE, WEEKLY_REPORT_JOB, WEEKLY_REPORT_SCHEDULE, type JobSchedule } from '../lib/digest/schedule';
import { backendFunction } from './function-defaults';
import { DAILY_DIGEST_GRANTS, WEEKLY_REPORT_GRANTS } from './job-grants';
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
 * The scheduled jobs, each a function of its own on an EventBridge Scheduler schedule at 08:00 Asia/Tokyo, Monday to
 * Friday (lib/digest/schedule.ts): the morning digest (functions/jobs/daily-digest.ts; the job itself skips public
 * holidays) and the weekly report (functions/jobs/weekly-report.ts; the job itself does nothing but on the first
 * business day of the week).
 *
 * Each function may read what its job reads and write the notifications it makes (infra/job-grants.ts), nothing
 * else: the dispatcher sends the mail. Each schedule's role may invoke its one function and put an undelivered
 * invocation in the failure queue. Delivery is retried for an hour; the function, invoked asynchronously, is tried
 * twice more within two hours of the schedule's time (a retry still makes that morning's digest or report and skips
 * those already written); what fails every attempt, at either step, lands in the failure queue.
 */
export class Jobs extends Construct {
  readonly dailyDigest: NodejsFunction;
  readonly dailyDigestSchedule: Schedule;
  /** The morning digest's scheduler role. */
  readonly schedulerRole: Role;
  readonly weeklyReport: NodejsFunction;
  readonly weeklyReportSchedule: Schedule;
  readonly weeklyReportSchedulerRole: Role;
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

    const digest = this.scheduledJob({
      id: 'DailyDigest',
      schedulerId: 'Scheduler',
      entry: 'functions/jobs/daily-digest.ts',
      description: 'The morning digest: each user its overdue and due tasks and untouched leads, through the outbox',
      environment: {
        ...storage.tableEnvironment(),
        ...(props.appBaseUrl && { APP_BASE_URL: props.appBaseUrl }),
        ...(props.digestUntouchedBusinessDays !== undefined && { DIGEST_UNTOUCHED_BUSINESS_DAYS: String(props.digestUntouchedBusinessDays) }),
      },
      grants: DAILY_DIGEST_GRANTS,
      job: DAILY_DIGEST_JOB,
      what: 'the morning digest',
      schedule: DAILY_DIGEST_SCHEDULE,
      scheduleDescription: 'The morning digest, 08:00 in Japan on weekdays (the job skips public holidays)',
      storage,
    });
    this.dailyDigest = digest.fn;
    this.schedulerRole = digest.role;
    this.dailyDigestSchedule = digest.schedule;

    const weekly = this.scheduledJob({
      id: 'WeeklyReport',
      schedulerId: 'WeeklyReportScheduler',
      entry: 'functions/jobs/weekly-report.ts',
      description: "The weekly report: each manager its reps' figures of the week before, through the outbox",
      environment: { ...storage.tableEnvironment(), ...(props.appBaseUrl && { APP_BASE_URL: props.appBaseUrl }) },
      grants: WEEKLY_REPORT_GRANTS,
      job: WEEKLY_REPORT_JOB,
      what: 'the weekly report',
      schedule: WEEKLY_REPORT_SCHEDULE,
      scheduleDescription: "The weekly report, 08:00 in Japan on weekdays (the job runs only on the week's first business day)",
      storage,
    });
    this.weeklyReport = weekly.fn;
    this.weeklyReportSchedulerRole = weekly.role;
    this.weeklyReportSchedule = weekly.schedule;
  }

  /** One job: its function, retried as the class says into the failure queue, its grants, and its schedule. */
  private scheduledJob(job: {
    id: string;
    schedulerId: string;
    entry: string;
    description: string;
    environment: Record<string, string>;
    grants: Parameters<typeof grantTableAccess>[1];
    job: string;
    what: string;
    schedule: JobSchedule;
    scheduleDescription: string;
    storage: Storage;
  }): { fn: NodejsFunction; role: Role; schedule: Schedule } {
    const fn = backendFunction(this, job.id, {
      entry: job.entry,
      description: job.description,
      timeout: Duration.minutes(10),
      retryAttempts: 2,
      maxEventAge: Duration.hours(2),
      onFailure: new SqsDestination(this.failures),
      environment: job.environment,
    });
    grantTableAccess(fn, job.grants, job.storage);
    const target = new InvokeOnly(this, job.schedulerId, { fn, job: job.job, what: job.what, deadLetterQueue: this.failures });
    const schedule = new Schedule(this, `${job.id}Schedule`, { description: job.scheduleDescription, schedule: cronOf(job.schedule), target });
    return { fn, role: target.role, schedule };
  }
}

const cronOf = (schedule: JobSchedule) => ScheduleExpression.cron({ ...schedule.cron, timeZone: TimeZone.of(schedule.timeZone) });

/**
 * A Lambda target whose role may invoke the function itself and nothing more (aws-scheduler-targets' LambdaInvoke
 * grants its versions and aliases too, `:*`), with the event the job reads and the schedule's retry policy.
 */
class InvokeOnly implements IScheduleTarget {
  readonly role: Role;
  private readonly fn: IFunction;
  private readonly job: string;
  private readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: { fn: IFunction; job: string; what: string; deadLetterQueue: IQueue }) {
    const { fn, deadLetterQueue } = props;
    this.fn = fn;
    this.job = props.job;
    this.deadLetterQueue = deadLetterQueue;
    const stack = Stack.of(scope);
    this.role = new Role(scope, `${id}Role`, {
      description: `EventBridge Scheduler: invokes ${props.what}`,
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
      input: ScheduleTargetInput.fromObject({ job: this.job, scheduledTime: ContextAttribute.scheduledTime }),
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
    };
  }
}
