import { ArnFormat, Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { backendFunction } from './function-defaults';
import { BUCKET_PREFIXES } from '../lib/storage/layout';
import type { Storage } from './storage';

export interface IntakeProps {
  storage: Storage;
  /** The dedupe key (名寄せキー): e-mail, or e-mail + name (lib/leads/match-key.ts). */
  matchKey: 'email' | 'email+name';
  /** The largest list it reads (MAX_UPLOAD_BYTES); the default of lib/config.ts when absent. */
  maxUploadBytes?: number;
}

/**
 * List import by bucket: an object created under imports/ invokes the intake function asynchronously. A long
 * import continues by invoking the function again. Events that still fail after the retries land in a queue, whose
 * consumer ends their imports as failed with the reason (functions/intake/failures.ts); what it cannot handle
 * within ten receives stays in a second queue for 14 days.
 */
export class Intake extends Construct {
  readonly function: NodejsFunction;
  readonly failures: Queue;
  readonly giveUp: NodejsFunction;
  readonly unhandledFailures: Queue;

  constructor(scope: Construct, id: string, props: IntakeProps) {
    super(scope, id);
    const { storage } = props;

    this.unhandledFailures = new Queue(this, 'UnhandledFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.unhandledFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the intake failure queue; a dead-letter queue behind it would catch nothing.',
    });
    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Six times the consumer's timeout, as Lambda asks of a queue it reads. Ten receives, three minutes apart,
      // outlast the longest lease a crashed intake invocation can leave (15 minutes and one).
      visibilityTimeout: Duration.minutes(3),
      deadLetterQueue: { queue: this.unhandledFailures, maxReceiveCount: 10 },
    });

    // Named up front so the function can be told, and allowed, to invoke itself: referring to its own ARN would
    // make the function depend on a policy that depends on the function.
    const functionName = `${Stack.of(this).stackName}-intake`;
    this.function = backendFunction(this, 'Function', {
      entry: 'functions/intake/handler.ts',
      description: 'Imports the lists that land under imports/ in the intake bucket',
      functionName,
      memorySize: 2048,
      timeout: Duration.minutes(15),
      ephemeralStorageSize: Size.mebibytes(4096),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.failures),
      environment: {
        ...storage.tableEnvironment(),
        INTAKE_BUCKET: storage.intakeBucket.bucketName,
        SELF_FUNCTION_NAME: functionName,
        MATCH_KEY: props.matchKey,
        ...(props.maxUploadBytes !== undefined && { MAX_UPLOAD_BYTES: String(props.maxUploadBytes) }),
      },
    });
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [
          Stack.of(this).formatArn({
            service: 'lambda',
            resource: 'function',
            resourceName: functionName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );

    storage.grantTableReadWrite(this.function);
    storage.grantErasureKey(this.function);
    storage.grantObjects(this.function, 's3:GetObject', BUCKET_PREFIXES.imports);
    storage.grantObjects(this.function, 's3:PutObject', BUCKET_PREFIXES.rejections);

    this.giveUp = backendFunction(this, 'GiveUp', {
      entry: 'functions/intake/failures.ts',
      description: 'Ends as failed the imports whose intake events failed every attempt',
      timeout: Duration.seconds(30),
      environment: { ...storage.tableEnvironment(), INTAKE_BUCKET: storage.intakeBucket.bucketName },
    });
    this.giveUp.addEventSource(new SqsEventSource(this.failures, { batchSize: 10, reportBatchItemFailures: true }));
    storage.grantTableItems(this.giveUp, 'GetItem', 'PutItem', 'UpdateItem');
    // HeadObject, for an upload whose import was never recorded (it needs s3:GetObject).
    storage.grantObjects(this.giveUp, 's3:GetObject', BUCKET_PREFIXES.imports);

    storage.intakeBucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.function), {
      prefix: BUCKET_PREFIXES.imports,
    });
    acknowledgeBucketNotificationsHandler(Stack.of(this));
  }
}

/**
 * S3 notifications are configured by a custom resource whose function and role CDK creates once per stack (its
 * construct id is fixed by CDK), with the AWS managed basic execution policy for its logs.
 */
function acknowledgeBucketNotificationsHandler(stack: Stack): void {
  const handler = stack.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
  if (!handler) throw new Error('expected the bucket notifications handler that CDK adds to the stack');
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: "CDK's own bucket-notifications handler: the managed policy only lets it write its logs, and its role is not configurable.",
  });
}
