import { type CfnElement, CustomResource, Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { backendFunction } from './function-defaults';
import type { Storage } from './storage';

export interface FirstAdminProps {
  storage: Storage;
  userPool: IUserPool;
  email: string;
  name: string;
}

/**
 * The deployment's first admin (`-c adminEmail=…`), as a custom resource: on every deploy its function makes sure
 * the sign-in exists in the user pool (Cognito e-mails a temporary password the first time) and the user record with
 * the admin role (functions/setup/first-admin.ts). The CDK provider framework answers CloudFormation for it.
 *
 * The function may create and read sign-ins of this pool, and write and read user records and their e-mail guards;
 * nothing else.
 */
export class FirstAdmin extends Construct {
  readonly function: NodejsFunction;
  readonly provider: Provider;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: FirstAdminProps) {
    super(scope, id);
    const { storage, userPool } = props;

    this.function = backendFunction(this, 'Function', {
      entry: 'functions/setup/first-admin.ts',
      description: 'Makes sure the first admin has a sign-in and a user record (custom resource)',
      timeout: Duration.minutes(1),
      environment: { ...storage.tableEnvironment(), USER_POOL_ID: userPool.userPoolId },
    });
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminGetUser'], resources: [userPool.userPoolArn] }),
    );
    // createUser writes the user and its e-mail guard in one transaction (PutItem on each); getUser reads the user.
    storage.grantItems(this.function, ['GetItem'], ['user']);
    storage.grantItems(this.function, ['PutItem'], ['user', 'userEmail']);

    this.provider = new Provider(this, 'Provider', {
      onEventHandler: this.function,
      logGroup: new LogGroup(this, 'ProviderLogs', { retention: RetentionDays.ONE_MONTH }),
    });
    Validations.of(this.provider).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "The CDK provider framework's own function: the managed policy only lets it write its logs, and its role is made by the framework.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOfFunction(this.function)}.Arn>:*]`,
        reason: 'The provider framework invokes our function by any version (`:*`), as the framework grants it; it is the only function it may invoke.',
      },
    );

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::FirstAdmin',
      properties: { email: props.email, name: props.name },
    });
  }
}

/** The logical id cdk-nag names the function by in its findings. */
function logicalIdOfFunction(fn: NodejsFunction): string {
  return fn.stack.getLogicalId(fn.node.defaultChild as CfnElement);
}
