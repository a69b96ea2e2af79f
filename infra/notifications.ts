import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENTITY } from '../lib/table/keys';
import { backendFunction } from './function-defaults';
import type { Storage } from './storage';

export interface NotificationsProps {
  /** The From address of every e-mail the backend sends. */
  senderEmail: string;
  /** False: the identity exists already (another stage's, or verified by hand) and is referred to by its ARN. */
  createSenderIdentity: boolean;
  storage: Storage;
  /** The front-end's origin, for links in e-mails the dispatcher renders (resumed assignments). */
  appBaseUrl?: string;
}

/**
 * E-mail: the SES identity mail is sent from, and the notification dispatcher, the outbox's consumer
 * (functions/notifications/handler.ts). The dispatcher is the only function allowed to send mail. It runs on the
 * table's stream, filtered to notifications written with a pending e-mail (sent at once), and every minute on a
 * schedule (retries with backoff, anything the stream missed, assignment operations a crash left unfinished).
 */
export class Notifications extends Construct {
  readonly senderEmail: string;
  /** Set when this stack created the sender's identity. */
  readonly identity?: EmailIdentity;
  readonly identityArn: string;
  readonly dispatcher: NodejsFunction;
  readonly streamFailures: Queue;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const { storage } = props;
    this.senderEmail = props.senderEmail;
    // SES e-mails a verification link to this address on deploy; sending works once it has been clicked.
    if (props.createSenderIdentity) {
      this.identity = new EmailIdentity(this, 'Sender', { identity: Identity.email(props.senderEmail) });
      this.identityArn = this.identity.emailIdentityArn;
    } else {
      this.identityArn = Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: props.senderEmail });
    }

    this.dispatcher = backendFunction(this, 'Dispatcher', {
      entry: 'functions/notifications/handler.ts',
      description: 'Sends notification e-mails from the outbox; finishes abandoned assignment operations',
      timeout: Duration.minutes(2),
      environment: {
        ...storage.tableEnvironment(),
        ...this.environment,
        ...(props.appBaseUrl && { APP_BASE_URL: props.appBaseUrl }),
      },
    });
    storage.grantTableReadWrite(this.dispatcher);
    this.grantSendEmail(this.dispatcher);

    // Stream records the dispatcher could not handle (after retries) are kept here; the schedule sends their
    // notifications anyway, since those stay in the outbox until sent or failed.
    this.streamFailures = new Queue(this, 'StreamFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.streamFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination of the stream trigger; a dead-letter queue behind it would catch nothing.',
    });
    this.dispatcher.addEventSource(
      new DynamoEventSource(storage.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 25,
        maxBatchingWindow: Duration.seconds(1),
        retryAttempts: 3,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.streamFailures),
        // Only new notifications with an e-mail to send wake the function, and unread ones the TTL deleted (their
        // expiry comes off the unread count), not every write to the table.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { entity: { S: FilterRule.isEqual(ENTITY.notification) }, emailStatus: { S: FilterRule.isEqual('pending') } } },
          }),
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('REMOVE'),
            userIdentity: { type: FilterRule.isEqual('Service'), principalId: FilterRule.isEqual('dynamodb.amazonaws.com') },
            dynamodb: { OldImage: { entity: { S: FilterRule.isEqual(ENTITY.notification) }, read: { BOOL: FilterRule.isEqual(false) } } },
          }),
        ],
      }),
    );
    new Rule(this, 'Sweep', {
      description: 'Retries due notification e-mails and finishes abandoned assignment operations',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.dispatcher, { event: RuleTargetInput.fromObject({ sweep: true }), retryAttempts: 2 })],
    });
  }

  /** The variables lib/config.ts reads to send mail. */
  get environment(): Record<string, string> {
    return { SENDER_EMAIL: this.senderEmail };
  }

  /** Sending only, only through this identity, and only with the sender address as From. */
  grantSendEmail(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resourceArns: [this.identityArn],
      conditions: { StringEquals: { 'ses:FromAddress': this.senderEmail } },
    });
  }
}
