import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE } from '../lib/metrics';
import type { Api } from './api';
import type { Intake } from './intake';
import type { Jobs } from './jobs';
import type { Notifications } from './notifications';

export interface AlarmsProps {
  /** Subscribed to the topic (it confirms the subscription from the mail SNS sends it). */
  alarmEmail?: string;
  api: Api;
  intake: Intake;
  notifications: Notifications;
  jobs: Jobs;
}

/** The API's 5xx answers above this share of its requests, in percent, over two of three five-minute periods. */
export const API_5XX_PERCENT = 5;

/**
 * What an operator must hear of, on one SNS topic (encrypted, TLS only; `-c alarmEmail=…` subscribes an address):
 * - a failure queue that is not empty: an intake event that failed every attempt (its import is being ended as
 *   failed), one its consumer could not handle, a stream batch the dispatcher gave up on, a morning digest that
 *   failed every attempt;
 * - notification e-mails that failed for good (the dispatcher's MailsFailed metric);
 * - the API answering 5xx to more than API_5XX_PERCENT % of its requests;
 * - any function of ours with errors or throttles.
 * Every alarm treats missing data as fine: no requests, no mail and no queue metrics mean nothing went wrong.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  /** By what it watches: `queue:IntakeFailures`, `mailsFailed`, `api5xx`, `errors:<function id>`, `throttles:<function id>`. */
  readonly alarms = new Map<string, Alarm>();

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    // CloudWatch can publish to an encrypted topic only with a key whose policy lets it (not the AWS managed key).
    this.key = new Key(this, 'TopicKey', { description: 'Encrypts the alarm topic', enableKeyRotation: true });
    this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { displayName: 'Lead backend alarms', masterKey: this.key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const queues: [string, Queue][] = [
      ['IntakeFailures', props.intake.failures],
      ['IntakeUnhandledFailures', props.intake.unhandledFailures],
      ['DispatcherStreamFailures', props.notifications.streamFailures],
      ['JobFailures', props.jobs.failures],
    ];
    for (const [name, queue] of queues) {
      this.alarm(`queue:${name}`, `${name}NotEmpty`, {
        description: `${name}: messages are waiting (something failed every attempt)`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 0,
      });
    }

    this.alarm('mailsFailed', 'MailsFailed', {
      description: 'Notification e-mails failed for good (bounced address, inactive recipient, or every retry spent)',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.mailsFailed,
        dimensionsMap: { service: Stack.of(this).stackName },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 0,
    });

    const api = props.api.httpApi;
    this.alarm('api5xx', 'Api5xxRate', {
      description: `The API answered 5xx to more than ${API_5XX_PERCENT} % of its requests`,
      metric: new MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
          requests: api.metricCount({ period: Duration.minutes(5), statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
        label: 'API 5xx %',
      }),
      threshold: API_5XX_PERCENT,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });

    // Our functions, wherever they are in the stack (CDK's own helper functions are not NodejsFunctions).
    const functions = Stack.of(this).node.findAll().filter((node): node is NodejsFunction => node instanceof NodejsFunction);
    for (const fn of functions) {
      const name = fn.node.path.split('/').slice(1).join('');
      this.alarm(`errors:${name}`, `${name}Errors`, {
        description: `${fn.node.path}: invocations failed`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
      });
      this.alarm(`throttles:${name}`, `${name}Throttles`, {
        description: `${fn.node.path}: invocations throttled`,
        metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
      });
    }
  }

  private alarm(key: string, id: string, props: { description: string; metric: IMetric; threshold: number; evaluationPeriods?: number; datapointsToAlarm?: number }) {
    const alarm = new Alarm(this, id, {
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      datapointsToAlarm: props.datapointsToAlarm,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.set(key, alarm);
  }
}
