import { ArnFormat, Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { backendFunction } from './function-defaults';
import { INTAKE_PREFIXES, type Storage } from './storage';

export interface IntakeProps {
  storage: Storage;
  /** The dedupe key (名寄せキー): e-mail, or e-mail + name (lib/intake/match-key.ts). */
  matchKey: 'email' | 'email+name';
}

/**
 * List import by bucket: an object created under imports/ invokes the intake function asynchronously. A long
 * import continues by invoking the function again; events that still fail after the retries land in a queue.
 */
export class Intake extends Construct {
  readonly function: NodejsFunction;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: IntakeProps) {
    super(scope, id);
    const { storage } = props;

    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the failure destination of the intake function; a dead-letter queue behind it would catch nothing.',
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
        TABLE_NAME: storage.table.tableName,
        INTAKE_BUCKET: storage.intakeBucket.bucketName,
        SELF_FUNCTION_NAME: functionName,
        MATCH_KEY: props.matchKey,
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
    storage.grantObjects(this.function, 's3:GetObject', INTAKE_PREFIXES.imports);
    storage.grantObjects(this.function, 's3:PutObject', INTAKE_PREFIXES.rejections);

    storage.intakeBucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.function), {
      prefix: INTAKE_PREFIXES.imports,
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
