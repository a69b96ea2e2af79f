import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/app';
import type { LeadBackendStack } from '../../infra/stack';
import { routeKey, type RouteGroup } from '../../lib/http/route';
import { ROUTE_GROUPS, ROUTES, routesOf } from '../../lib/http/routes';
import { TABLE_DEFINITION } from '../../lib/table/definition';

/**
 * Synthesises the real stack (with the context and feature flags of cdk.json, as `cdk synth` would) and checks
 * the template, then runs cdk-nag's AWS Solutions checks over it. Functions are not bundled here: an empty
 * `aws:cdk:bundling-stacks` makes NodejsFunction skip esbuild; `cdk synth` bundles for real.
 */

const CDK_JSON_CONTEXT = JSON.parse(readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')).context;
const TEST_CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  // Let synthesis finish despite cdk-nag findings, so the template tests run and the cdk-nag test lists them all.
  '@aws-cdk/core:failSynthOnValidationErrors': false,
};
// Synthesis runs CloudFormation schema validation and cdk-nag, a few seconds per app.
const SYNTH_TIMEOUT = 60_000;

interface Synthesised {
  app: App;
  stack: LeadBackendStack;
  template: Template;
  resources: Record<string, { Type: string; Properties: Record<string, any> }>;
  /** The logical id of a construct's CloudFormation resource. */
  id: (construct: IConstruct) => string;
}

function synth(context: Record<string, unknown> = {}): Synthesised {
  const { app, stack } = buildApp({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, ...context });
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    resources: template.toJSON().Resources,
    id: (construct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement),
  };
}

const ref = (logicalId: string) => ({ Ref: logicalId });
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const statementsOf = (resources: Synthesised['resources']) =>
  Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Record<string, any>[]);
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * What each API function may do, written out here on purpose (not read from infra/route-group-grants.ts): a grant
 * added there without its line here fails. Table items: actions on the table, each with the partition-key prefixes
 * (dynamodb:LeadingKeys) it is limited to; indexes: Query only; objects: `action prefix*` on the intake bucket.
 */
interface ExpectedGrants {
  items: { actions: string[]; keys: string[] }[];
  indexes: string[];
  objects: string[];
  cursorSecret: boolean;
  erasureKey?: boolean;
  startsExportWorker: boolean;
}
const IDEMPOTENCY = { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'Query'], keys: ['IDEMPOTENCY#*'] };
const NONE: ExpectedGrants = { items: [], indexes: [], objects: [], cursorSecret: false, startsExportWorker: false };
const API_GRANTS: Record<RouteGroup, ExpectedGrants> = {
  system: NONE,
  docs: NONE,
  users: {
    ...NONE,
    items: [
      { actions: ['GetItem'], keys: ['USER#*'] },
      { actions: ['PutItem', 'DeleteItem'], keys: ['USER#*', 'USEREMAIL#*'] },
    ],
    indexes: ['GSI1'],
    cursorSecret: true,
  },
  campaigns: {
    ...NONE,
    items: [
      { actions: ['GetItem', 'BatchGetItem'], keys: ['USER#*', 'CAMPAIGN#*', 'LEAD#*'] },
      { actions: ['PutItem'], keys: ['CAMPAIGN#*'] },
    ],
    indexes: ['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5v2'],
    cursorSecret: true,
  },
  imports: {
    ...NONE,
    items: [{ actions: ['GetItem'], keys: ['USER#*', 'CAMPAIGN#*', 'IMPORT#*'] }, { actions: ['PutItem'], keys: ['IMPORT#*'] }, IDEMPOTENCY],
    indexes: ['GSI1', 'GSI2'],
    objects: ['s3:GetObject rejections/*', 's3:PutObject imports/*'],
    cursorSecret: true,
  },
  leads: {
    ...NONE,
    items: [
      { actions: ['GetItem', 'Query', 'BatchGetItem'], keys: ['USER#*', 'LEAD#*', 'CAMPAIGN#*', 'DEAL#*', 'ASSIGNROTATION#*', 'IMPORT#*', 'LEADKEY#*'] },
      { actions: ['PutItem', 'UpdateItem'], keys: ['USER#*', 'LEAD#*', 'ASSIGNMENT#*', 'ASSIGNROTATION#*', 'USERSTATS#*'] },
      { actions: ['PutItem', 'DeleteItem', 'ConditionCheckItem'], keys: ['LEAD#*', 'LEADKEY#*', 'ERASEDKEY#*'] },
      { actions: ['PutItem', 'UpdateItem', 'ConditionCheckItem'], keys: ['LEAD#*', 'LEADKEY#*', 'ERASEDKEY#*', 'CAMPAIGN#*'] },
      { actions: ['BatchWriteItem'], keys: ['ASSIGNMENT#*'] },
      { actions: ['UpdateItem'], keys: ['USER#*', 'LEAD#*', 'IMPORT#*'] },
      IDEMPOTENCY,
    ],
    indexes: ['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5v2', 'GSI6', 'GSI7', 'GSI8', 'GSI9', 'GSI10'],
    cursorSecret: true,
    erasureKey: true,
  },
  exports: {
    ...NONE,
    items: [{ actions: ['GetItem'], keys: ['USER#*', 'EXPORT#*'] }, { actions: ['PutItem'], keys: ['EXPORT#*'] }, IDEMPOTENCY],
    objects: ['s3:GetObject exports/*'],
    startsExportWorker: true,
  },
  me: {
    ...NONE,
    items: [
      { actions: ['GetItem', 'Query'], keys: ['USER#*'] },
      { actions: ['UpdateItem'], keys: ['USER#*'] },
    ],
    cursorSecret: true,
  },
  actions: {
    ...NONE,
    items: [
      { actions: ['GetItem', 'Query'], keys: ['USER#*', 'LEAD#*', 'USERSTATS#*'] },
      { actions: ['PutItem', 'UpdateItem', 'ConditionCheckItem'], keys: ['LEAD#*', 'CAMPAIGN#*', 'USERSTATS#*'] },
      IDEMPOTENCY,
    ],
    indexes: ['GSI1'],
    cursorSecret: true,
  },
  deals: {
    ...NONE,
    items: [
      { actions: ['GetItem', 'Query', 'BatchGetItem'], keys: ['USER#*', 'LEAD#*', 'CAMPAIGN#*', 'DEAL#*', 'ACCOUNT#*'] },
      { actions: ['PutItem', 'UpdateItem'], keys: ['USER#*', 'LEAD#*', 'CAMPAIGN#*', 'DEAL#*', 'ACCOUNT#*', 'ACCOUNTNAME#*', 'USERSTATS#*'] },
      IDEMPOTENCY,
    ],
    indexes: ['GSI1', 'GSI2', 'GSI3', 'GSI4'],
    cursorSecret: true,
  },
  stats: {
    ...NONE,
    items: [{ actions: ['GetItem', 'Query'], keys: ['USER#*', 'USERSTATS#*'] }],
    indexes: ['GSI1', 'GSI2', 'GSI10'],
  },
};

/** One line per action and key set it is allowed on: statements CDK merges or splits read the same. */
const expandItems = (items: ExpectedGrants['items']) =>
  items.flatMap((item) => item.actions.map((action) => `dynamodb:${action} on ${[...item.keys].sort().join(' ')}`));

/** The statements of a function's role, without what every function has (its logs, X-Ray). */
function functionStatementsOf(s: Synthesised, fn: NodejsFunction): Record<string, any>[] {
  const roles = JSON.stringify([ref(s.id(fn.role!))]);
  return Object.values(s.resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === roles)
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, any>[])
    .filter((st) => !asList(st.Action).every((a: string) => a.startsWith('logs:') || a.startsWith('xray:')));
}

const apiStatementsOf = (s: Synthesised, group: RouteGroup) => functionStatementsOf(s, s.stack.api.functions[group]);

/** A function's grants, classified; anything that fits no class lands in `other`. */
function grantsOfFunction(s: Synthesised, fn: NodejsFunction) {
  const table = JSON.stringify(arnOf(s.id(s.stack.storage.table)));
  const bucketArn = JSON.stringify(arnOf(s.id(s.stack.storage.intakeBucket)));
  const secret = JSON.stringify(ref(s.id(s.stack.api.cursorSecret)));
  const erasureSecret = JSON.stringify(ref(s.id(s.stack.storage.erasureKey)));
  const joined = (resource: unknown, arn: string): string | undefined => {
    const parts = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (!parts || parts[0] !== '' || parts[1].length !== 2 || JSON.stringify(parts[1][0]) !== arn || typeof parts[1][1] !== 'string') return undefined;
    return parts[1][1];
  };
  const found = { tableItems: [] as string[], indexQueries: [] as string[], objects: [] as string[], cursorSecret: false, erasureKey: false, invokes: [] as string[], other: [] as unknown[] };
  for (const st of functionStatementsOf(s, fn)) {
    if (st.Effect !== 'Allow' || st.NotAction || st.NotResource) {
      found.other.push(st);
      continue;
    }
    for (const action of asList(st.Action) as string[]) {
      for (const resource of asList(st.Resource)) {
        const json = JSON.stringify(resource);
        const index = joined(resource, table)?.match(/^\/index\/(GSI\d+(?:v\d+)?)$/)?.[1];
        const object = joined(resource, bucketArn)?.match(/^\/(.+)$/)?.[1];
        const leadingKeys = st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
        if (action.startsWith('dynamodb:') && json === table && Array.isArray(leadingKeys) && Object.keys(st.Condition).length === 1) {
          found.tableItems.push(`${action} on ${[...leadingKeys].sort().join(' ')}`);
        } else if (action === 'dynamodb:Query' && index && !st.Condition) {
          found.indexQueries.push(index);
        } else if ((action === 's3:GetObject' || action === 's3:PutObject') && object && !st.Condition) {
          found.objects.push(`${action} ${object}`);
        } else if ((action === 'secretsmanager:GetSecretValue' || action === 'secretsmanager:DescribeSecret') && json === secret && !st.Condition) {
          found.cursorSecret = true;
        } else if ((action === 'secretsmanager:GetSecretValue' || action === 'secretsmanager:DescribeSecret') && json === erasureSecret && !st.Condition) {
          found.erasureKey = true;
        } else if (action === 'lambda:InvokeFunction' && resource?.['Fn::GetAtt']?.[1] === 'Arn' && !st.Condition) {
          found.invokes.push(resource['Fn::GetAtt'][0]);
        } else {
          found.other.push({ action, resource, condition: st.Condition });
        }
      }
    }
  }
  found.tableItems.sort();
  found.indexQueries.sort();
  found.objects.sort();
  return found;
}

const apiGrantsOf = (s: Synthesised, group: RouteGroup) => grantsOfFunction(s, s.stack.api.functions[group]);

describe('LeadBackendStack', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synth();
  }, SYNTH_TIMEOUT);

  describe('table', () => {
    it('is built from TABLE_DEFINITION: keys, on demand, PITR, TTL, encryption, stream, deletion protection', () => {
      s.template.resourceCountIs('AWS::DynamoDB::Table', 1);
      s.template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: TABLE_DEFINITION.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_DEFINITION.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
        SSESpecification: { SSEEnabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        DeletionProtectionEnabled: true,
      });
    });

    it('has exactly the indexes of TABLE_DEFINITION, each with its keys and what it projects', () => {
      const table = s.resources[s.id(s.stack.storage.table)]!;
      expect(table.Properties.GlobalSecondaryIndexes).toEqual(
        TABLE_DEFINITION.indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: index.projects ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projects] } : { ProjectionType: 'ALL' },
        })),
      );
      // The members index holds only what its readers take from it; the replaced GSI5 is gone, and nothing reads it.
      const members = table.Properties.GlobalSecondaryIndexes.find((i: { IndexName: string }) => i.IndexName === 'GSI5v2');
      expect(members.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['leadId', 'invited', 'responded', 'followStatus', 'arisenOn'] });
      expect(table.Properties.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName)).not.toContain('GSI5');
      for (const fn of Object.values(s.resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
        expect(fn.Properties.Environment?.Variables?.TABLE_FORMER_INDEXES).toBeUndefined();
      }
    });
  });

  describe('intake bucket', () => {
    const bucket = () => s.resources[s.id(s.stack.storage.intakeBucket)]!.Properties;

    it('blocks public access, is versioned and encrypted, and logs access to the log bucket', () => {
      expect(bucket().PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket().VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket().BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ]);
      expect(bucket().LoggingConfiguration).toEqual({
        DestinationBucketName: ref(s.id(s.stack.storage.accessLogBucket)),
        LogFilePrefix: 'intake/',
      });
    });

    it('expires old versions, imports, rejection reports and exports', () => {
      expect(bucket().LifecycleConfiguration.Rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
          expect.objectContaining({ Prefix: 'imports/', ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' }),
          expect.objectContaining({ Prefix: 'rejections/', ExpirationInDays: 7, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' }),
          expect.objectContaining({ Prefix: 'exports/', ExpirationInDays: 7, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' }),
        ]),
      );
    });

    it('sends objects created under imports/ to the intake function', () => {
      s.template.hasResourceProperties('Custom::S3BucketNotifications', {
        BucketName: ref(s.id(s.stack.storage.intakeBucket)),
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            {
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'imports/' }] } },
              LambdaFunctionArn: arnOf(s.id(s.stack.intake.function)),
            },
          ],
        },
      });
    });
  });

  describe('access-log bucket', () => {
    it('blocks public access, is encrypted and expires logs', () => {
      const logs = s.resources[s.id(s.stack.storage.accessLogBucket)]!.Properties;
      expect(logs.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(logs.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ]);
      expect(logs.LifecycleConfiguration.Rules).toEqual([
        expect.objectContaining({ ExpirationInDays: expect.any(Number), Status: 'Enabled' }),
      ]);
    });
  });

  it.each(['intakeBucket', 'accessLogBucket'] as const)('%s refuses requests without TLS', (name) => {
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(s.id(s.stack.storage[name])),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  describe('intake function', () => {
    it('is sized for imports and can invoke itself by the name it is told', () => {
      const fn = s.resources[s.id(s.stack.intake.function)]!.Properties;
      expect(fn).toMatchObject({
        MemorySize: 2048,
        Timeout: 900,
        EphemeralStorage: { Size: 4096 },
        Environment: {
          Variables: expect.objectContaining({
            TABLE_NAME: ref(s.id(s.stack.storage.table)),
            INTAKE_BUCKET: ref(s.id(s.stack.storage.intakeBucket)),
            SELF_FUNCTION_NAME: fn.FunctionName,
            MATCH_KEY: 'email',
          }),
        },
      });
      const selfInvoke = statementsOf(s.resources).find((st) => st.Action === 'lambda:InvokeFunction');
      expect(JSON.stringify(selfInvoke?.Resource)).toContain(`:function:${fn.FunctionName}`);
    });

    it('retries twice, then sends the event to an encrypted queue kept 14 days', () => {
      s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: ref(s.id(s.stack.intake.function)),
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 6 * 3600,
        DestinationConfig: { OnFailure: { Destination: arnOf(s.id(s.stack.intake.failures)) } },
      });
      s.template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });
  });

  describe('intake failures', () => {
    it('are read by a function of their own, with partial batch failures, and kept 14 days if it cannot end them', () => {
      s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: ref(s.id(s.stack.intake.giveUp)),
        EventSourceArn: arnOf(s.id(s.stack.intake.failures)),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const queue = s.resources[s.id(s.stack.intake.failures)]!.Properties;
      expect(queue).toMatchObject({
        VisibilityTimeout: 180,
        RedrivePolicy: { deadLetterTargetArn: arnOf(s.id(s.stack.intake.unhandledFailures)), maxReceiveCount: 10 },
      });
      // Lambda asks for a visibility timeout of at least six times the function's timeout.
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * s.resources[s.id(s.stack.intake.giveUp)]!.Properties.Timeout);
      expect(s.resources[s.id(s.stack.intake.unhandledFailures)]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    });

    it('may read and update items of the table and look at uploaded lists, nothing more', () => {
      const roles = JSON.stringify([ref(s.id(s.stack.intake.giveUp.role!))]);
      const statements = Object.values(s.resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === roles)
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, any>[]);
      const actions = statements.flatMap((st) => asList(st.Action)).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:') && !a.startsWith('sqs:'));
      expect(actions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 's3:GetObject']);
      const table = statements.find((st) => asList(st.Action).includes('dynamodb:UpdateItem'))!;
      expect(asList(table.Resource)).toEqual([arnOf(s.id(s.stack.storage.table))]);
      expect(JSON.stringify(statements.find((st) => st.Action === 's3:GetObject')!.Resource)).toContain('/imports/*');
    });
  });

  describe('HTTP API', () => {
    const routes = () => Object.values(s.resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');

    it('has exactly the routes of lib/http/routes.ts', () => {
      expect(routes().map((r) => r.Properties.RouteKey).sort()).toEqual(ROUTES.map(routeKey).sort());
    });

    it.each(ROUTES.map((route) => [routeKey(route), route] as const))(
      '%s: JWT unless public, integrated with its group function',
      (key, route) => {
        const properties = routes().find((r) => r.Properties.RouteKey === key)!.Properties;
        if (route.public) {
          expect(properties.AuthorizationType).toBe('NONE');
          expect(properties.AuthorizerId).toBeUndefined();
        } else {
          expect(properties.AuthorizationType).toBe('JWT');
          expect(properties.AuthorizerId).toEqual(ref(expect.any(String)));
        }
        const integrationId = properties.Target['Fn::Join'][1][1].Ref;
        expect(s.resources[integrationId]!.Properties.IntegrationUri).toEqual(
          arnOf(s.id(s.stack.api.functions[route.group])),
        );
      },
    );

    it('verifies tokens issued by the user pool for its client', () => {
      const users = s.stack.api.users!;
      s.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        JwtConfiguration: {
          Audience: [ref(s.id(users.client))],
          Issuer: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [s.id(users.userPool), 'ProviderURL'] }]] },
        },
      });
      s.template.hasResourceProperties('AWS::Cognito::UserPool', {
        DeletionProtection: 'ACTIVE',
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
      });
      s.template.hasOutput('UserPoolId', {});
      s.template.hasOutput('UserPoolClientId', {});
    });

    it('logs access as JSON and throttles on the default stage', () => {
      const stage = Object.values(s.resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!.Properties;
      expect(stage).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
        AccessLogSettings: { DestinationArn: expect.anything() },
      });
      expect(JSON.parse(stage.AccessLogSettings.Format)).toMatchObject({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
        ip: '$context.identity.sourceIp',
      });
    });

    it('admits no browser origin when no front-end is configured (appBaseUrl)', () => {
      expect(s.resources[s.id(s.stack.api.httpApi)]!.Properties.CorsConfiguration).toBeUndefined();
    });

    it.each(['system', 'docs'] as const)('gives the %s group no data, no secret and no bucket', (group) => {
      const env = s.resources[s.id(s.stack.api.functions[group])]!.Properties.Environment.Variables;
      expect(Object.keys(env).sort()).toEqual(['LOG_LEVEL', 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME']);
    });

    it('tells each data group the table, and the bucket and the cursor secret only when it may use them', () => {
      for (const group of ROUTE_GROUPS.filter((g) => g !== 'system' && g !== 'docs')) {
        const env = s.resources[s.id(s.stack.api.functions[group])]!.Properties.Environment.Variables;
        const expected = API_GRANTS[group];
        expect([group, Object.keys(env).filter((k) => k === 'INTAKE_BUCKET' || k === 'CURSOR_SECRET_ARN').sort()]).toEqual([
          group,
          [...(expected.cursorSecret ? ['CURSOR_SECRET_ARN'] : []), ...(expected.objects.length > 0 ? ['INTAKE_BUCKET'] : [])],
        ]);
        expect(env.TABLE_NAME).toEqual(ref(s.id(s.stack.storage.table)));
      }
    });
  });

  describe('API function grants (one test per group: any widening fails)', () => {
    const grantsOf = (group: RouteGroup) => apiGrantsOf(s, group);

    it('covers every route group, and only them', () => {
      expect(Object.keys(API_GRANTS).sort()).toEqual([...ROUTE_GROUPS].sort());
    });

    it.each([...ROUTE_GROUPS])('%s: exactly its table items, indexes, bucket prefixes and other services', (group) => {
      const expected = API_GRANTS[group];
      const actual = grantsOf(group);
      expect(actual.tableItems).toEqual(expandItems(expected.items).sort());
      expect(actual.indexQueries).toEqual([...expected.indexes].sort());
      expect(actual.objects).toEqual([...expected.objects].sort());
      expect(actual.cursorSecret).toBe(expected.cursorSecret);
      expect(actual.erasureKey).toBe(expected.erasureKey ?? false);
      expect(actual.invokes).toEqual(expected.startsExportWorker ? [s.id(s.stack.exports.function)] : []);
      expect(actual.other).toEqual([]);
    });

    it('limits every table statement of an API function to partition-key prefixes', () => {
      for (const group of ROUTE_GROUPS) {
        for (const st of apiStatementsOf(s, group).filter((st) => asList(st.Action).some((a: string) => a.startsWith('dynamodb:')))) {
          if (JSON.stringify(st.Resource) === JSON.stringify(arnOf(s.id(s.stack.storage.table)))) {
            expect([group, Object.keys(st.Condition ?? {})]).toEqual([group, ['ForAllValues:StringLike']]);
            expect(Object.keys(st.Condition['ForAllValues:StringLike'])).toEqual(['dynamodb:LeadingKeys']);
          } else {
            // Index ARNs only, for Query only (grantsOf classifies them; nothing else reaches here).
            expect([group, asList(st.Action)]).toEqual([group, ['dynamodb:Query']]);
          }
        }
      }
    });

    it('lets no API function Scan, nor use a DynamoDB wildcard action', () => {
      for (const group of ROUTE_GROUPS) {
        const actions = apiStatementsOf(s, group).flatMap((st) => asList(st.Action) as string[]);
        expect([group, actions.filter((a) => /^dynamodb:(Scan|.*\*)/.test(a) || a === '*')]).toEqual([group, []]);
      }
    });

    it('gives the idempotency records to exactly the groups with an idempotent route', () => {
      for (const group of ROUTE_GROUPS) {
        const holds = API_GRANTS[group].items.some((item) => item.keys.length === 1 && item.keys[0] === 'IDEMPOTENCY#*');
        expect([group, holds]).toEqual([group, routesOf(group).some((route) => route.idempotent)]);
      }
    });
  });

  it('runs every function of ours on Node 24, arm64, traced, logging to a log group kept a month', () => {
    const ours = [s.stack.intake.function, s.stack.notifications.dispatcher, s.stack.jobs.dailyDigest, s.stack.jobs.weeklyReport, ...Object.values(s.stack.api.functions)];
    for (const fn of ours) {
      const properties = s.resources[s.id(fn)]!.Properties;
      expect(properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps', LOG_LEVEL: 'info', POWERTOOLS_SERVICE_NAME: 'LeadBackendStack' }),
        },
      });
      const logGroupId = properties.LoggingConfig.LogGroup.Ref;
      expect(s.resources[logGroupId]!.Properties.RetentionInDays).toBe(30);
    }
  });

  it('grants nothing on * except what has no resource-level permissions', () => {
    const onAnything = statementsOf(s.resources).filter((st) => asList(st.Resource).includes('*'));
    const actions = new Set(onAnything.flatMap((st) => asList(st.Action)));
    // Active tracing's X-Ray actions and the stream trigger's ListStreams are the only ones acknowledged
    // (AwsSolutions-IAM5[Resource::*]) on our roles: none of them has resource-level permissions.
    expect([...actions].sort()).toEqual(['dynamodb:ListStreams', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('outputs what clients and operators need', () => {
    for (const name of ['ApiUrl', 'IntakeBucketName', 'TableName']) s.template.hasOutput(name, {});
  });

  it('has a sender identity for e-mail', () => {
    s.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: CDK_JSON_CONTEXT.senderEmail });
  });

  it('has no unacknowledged cdk-nag AwsSolutions findings (errors or warnings)', () => {
    const report = new AwsSolutionsChecks().validateScope(s.app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });
});

describe('context', () => {
  it(
    'turns deletion protection off when told',
    () => {
      const { template } = synth({ deletionProtection: 'false' });
      template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
      template.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'INACTIVE' });
    },
    SYNTH_TIMEOUT,
  );

  it(
    'uses an external JWT issuer instead of creating a user pool',
    () => {
      const { template } = synth({
        jwtIssuer: 'https://issuer.example.com/',
        jwtAudience: 'lead-app,lead-admin',
      });
      template.resourceCountIs('AWS::Cognito::UserPool', 0);
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'JWT',
        JwtConfiguration: { Issuer: 'https://issuer.example.com/', Audience: ['lead-app', 'lead-admin'] },
      });
      expect(Object.keys(template.toJSON().Outputs)).not.toContain('UserPoolId');
    },
    SYNTH_TIMEOUT,
  );

  it(
    'admits only the front-end origin and tells the functions its URL',
    () => {
      const front = 'https://leads.example.com';
      const { resources, stack, id } = synth({ appBaseUrl: front });
      // Exactly that origin, the methods the routes use, the headers they read, and the ones a page must read back.
      expect(resources[id(stack.api.httpApi)]!.Properties.CorsConfiguration).toEqual({
        AllowOrigins: [front],
        AllowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
        AllowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
        ExposeHeaders: ['etag', 'location', 'idempotent-replayed'],
        MaxAge: 3600,
      });
      expect(resources[id(stack.storage.intakeBucket)]!.Properties.CorsConfiguration.CorsRules).toEqual([
        expect.objectContaining({ AllowedOrigins: [front], AllowedMethods: ['PUT', 'GET'] }),
      ]);
      expect(resources[id(stack.api.functions.users)]!.Properties.Environment.Variables.APP_BASE_URL).toBe(front);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'gives the choice lists of the context to the API functions, and refuses lists the functions would refuse',
    () => {
      const choices = { results: ['不在', 'アポ獲得'] };
      const { resources, stack, id } = synth({ choices: JSON.stringify(choices) });
      expect(JSON.parse(resources[id(stack.api.functions.actions)]!.Properties.Environment.Variables.CHOICES)).toEqual(choices);
      expect(JSON.parse(resources[id(stack.api.functions.deals)]!.Properties.Environment.Variables.CHOICES)).toEqual(choices);
      expect(() => buildApp({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, choices: '{"results": []}' })).toThrow(/CHOICES is not valid/);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'switches the dedupe key to e-mail + name, and refuses any other key',
    () => {
      const { resources, stack, id } = synth({ matchKey: 'email+name' });
      expect(resources[id(stack.intake.function)]!.Properties.Environment.Variables.MATCH_KEY).toBe('email+name');
      expect(() => buildApp({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, matchKey: 'phone' })).toThrow(/matchKey must be/);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'requires a TOTP second factor unless the deployment asks for optional MFA, with its reason acknowledged',
    () => {
      const { template } = synth({ mfa: 'optional' });
      template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
      expect(() => buildApp({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, mfa: 'sometimes' })).toThrow(/context mfa must be/);
    },
    SYNTH_TIMEOUT,
  );

  it(
    'tells the upload signer and the intake the upload limit the deployment gives, and refuses one past the disk',
    () => {
      const plain = synth();
      for (const fn of [plain.stack.intake.function, ...Object.values(plain.stack.api.functions)]) {
        expect(plain.resources[plain.id(fn)]!.Properties.Environment?.Variables?.MAX_UPLOAD_BYTES).toBeUndefined();
      }
      const { resources, stack, id } = synth({ maxUploadMb: '500' });
      const limitOf = (fn: IConstruct) => resources[id(fn)]!.Properties.Environment?.Variables?.MAX_UPLOAD_BYTES;
      expect(limitOf(stack.intake.function)).toBe(String(500 * 1024 * 1024));
      expect(limitOf(stack.api.functions.imports)).toBe(String(500 * 1024 * 1024));
      for (const group of ROUTE_GROUPS.filter((g) => g !== 'imports')) expect([group, limitOf(stack.api.functions[group])]).toEqual([group, undefined]);
      for (const bad of ['0', '1.5', 'big', '4096']) {
        expect(() => buildApp({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, maxUploadMb: bad })).toThrow(/maxUploadMb must be/);
      }
    },
    SYNTH_TIMEOUT,
  );

  it(
    'builds only the first N indexes when an upgrade adds them one deploy at a time, and refuses fewer than the first release had',
    () => {
      const { resources, stack, id } = synth({ tableIndexes: '8' });
      const names = resources[id(stack.storage.table)]!.Properties.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName);
      // A table from before GSI8 still has the first GSI5, and its functions read that one.
      expect(names).toEqual(['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5', 'GSI6', 'GSI7', 'GSI8']);
      expect(resources[id(stack.api.functions.leads)]!.Properties.Environment.Variables.TABLE_FORMER_INDEXES).toBe('gsi5');
      for (const bad of ['6', '12', 'all', '8.5']) {
        expect(() => buildApp({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, tableIndexes: bad })).toThrow(/tableIndexes must be/);
      }
    },
    SYNTH_TIMEOUT,
  );

  it(
    'replaces the members index over two deploys: first beside the one it replaces, read from the old one, then alone',
    () => {
      const { resources, stack, id } = synth({ tableIndexes: '11' });
      const indexes = resources[id(stack.storage.table)]!.Properties.GlobalSecondaryIndexes as { IndexName: string; Projection: unknown }[];
      expect(indexes.map((i) => i.IndexName)).toEqual(['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5', 'GSI6', 'GSI7', 'GSI8', 'GSI9', 'GSI10', 'GSI5v2']);
      expect(indexes.find((i) => i.IndexName === 'GSI5')!.Projection).toEqual({ ProjectionType: 'ALL' });
      // Every function that reads the table reads the first GSI5 while DynamoDB builds GSI5v2, and may query only it.
      const readers = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.TABLE_NAME);
      expect(readers.length).toBeGreaterThan(5);
      for (const fn of readers) expect(fn.Properties.Environment.Variables.TABLE_FORMER_INDEXES).toBe('gsi5');
      const policies = JSON.stringify(Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy'));
      expect(policies).toContain('/index/GSI5"');
      expect(policies).not.toContain('/index/GSI5v2');
    },
    SYNTH_TIMEOUT,
  );

  it('requires a sender address', () => {
    expect(() => buildApp({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, senderEmail: undefined })).toThrow(
      /senderEmail is required/,
    );
  });
});

describe('notification dispatcher', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synth();
  }, SYNTH_TIMEOUT);

  it('is the only function that may send mail: through the sender identity, from the sender address', () => {
    const policies = Object.values(s.resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    const senders = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('ses:SendEmail'));
    expect(senders).toHaveLength(1);
    expect(JSON.stringify(senders[0]!.Properties.Roles)).toContain(s.id(s.stack.notifications.dispatcher.role!));
    const statement = (senders[0]!.Properties.PolicyDocument.Statement as Record<string, any>[]).find((st) => asList(st.Action).includes('ses:SendEmail'))!;
    expect(statement).toMatchObject({
      Action: ['ses:SendEmail', 'ses:SendRawEmail'],
      Condition: { StringEquals: { 'ses:FromAddress': CDK_JSON_CONTEXT.senderEmail } },
    });
    expect(JSON.stringify(statement.Resource)).toContain(':identity/');
  });

  it('wakes on new notifications with a pending e-mail and on unread ones the TTL deleted, and reports partial batch failures', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: s.id(s.stack.notifications.dispatcher) },
      StartingPosition: 'LATEST',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['Notification'] }, emailStatus: { S: ['pending'] } } } }) },
          {
            Pattern: JSON.stringify({
              eventName: ['REMOVE'],
              userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
              dynamodb: { OldImage: { entity: { S: ['Notification'] }, read: { BOOL: [false] } } },
            }),
          },
        ],
      },
    });
  });

  it('also runs every minute, to retry and to finish abandoned assignments', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ sweep: true }) })],
    });
  });
});

describe('the morning digest', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synth();
  }, SYNTH_TIMEOUT);
  const fnId = () => s.id(s.stack.jobs.dailyDigest);
  const queueArn = () => arnOf(s.id(s.stack.jobs.failures));

  it('runs on an EventBridge Scheduler schedule at 08:00 Asia/Tokyo, Monday to Friday, with the time it stands for', () => {
    expectWeekdayMorningSchedule(s, 'daily-digest', fnId(), s.stack.jobs.schedulerRole);
  });

  it("lets the scheduler's role, and only its, invoke the function itself (not its versions), and use the failure queue", () => {
    expectInvokeOnly(s, s.stack.jobs.schedulerRole, fnId());
  });

  it('may read what the digest reads and write its notifications, and nothing else (no mail: the dispatcher sends it)', () => {
    const grants = grantsOfFunction(s, s.stack.jobs.dailyDigest);
    expect(grants.tableItems).toEqual(
      expandItems([
        { actions: ['GetItem', 'BatchGetItem'], keys: ['USER#*', 'LEAD#*'] },
        { actions: ['PutItem', 'UpdateItem'], keys: ['USER#*'] },
      ]).sort(),
    );
    expect(grants.indexQueries).toEqual(['GSI1', 'GSI10']);
    expect([grants.objects, grants.cursorSecret, grants.erasureKey, grants.invokes]).toEqual([[], false, false, []]);
    // The failure destination of its asynchronous invocations, and nothing more.
    expect(grants.other).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].map((action) => ({ action, resource: queueArn(), condition: undefined })));
  });

  it('is retried twice within two hours of its time, then recorded in an encrypted queue kept 14 days', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(fnId()),
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 7200,
      DestinationConfig: { OnFailure: { Destination: queueArn() } },
    });
    expect(s.resources[s.id(s.stack.jobs.failures)]!.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('is told the table, and the front-end and the setting when the deployment gives them', () => {
    const env = s.resources[fnId()]!.Properties.Environment.Variables;
    expect(env).toEqual({ NODE_OPTIONS: '--enable-source-maps', LOG_LEVEL: 'info', POWERTOOLS_SERVICE_NAME: 'LeadBackendStack', TABLE_NAME: ref(s.id(s.stack.storage.table)) });
    const configured = synth({ appBaseUrl: 'https://leads.example.com', digestUntouchedBusinessDays: '3' });
    expect(configured.resources[configured.id(configured.stack.jobs.dailyDigest)]!.Properties.Environment.Variables).toMatchObject({
      APP_BASE_URL: 'https://leads.example.com',
      DIGEST_UNTOUCHED_BUSINESS_DAYS: '3',
    });
    for (const bad of ['-1', '1.5', 'two', '61']) {
      expect(() => buildApp({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, digestUntouchedBusinessDays: bad })).toThrow(/digestUntouchedBusinessDays must be/);
    }
  }, SYNTH_TIMEOUT);
});

describe('the weekly report', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synth();
  }, SYNTH_TIMEOUT);
  const fnId = () => s.id(s.stack.jobs.weeklyReport);
  const queueArn = () => arnOf(s.id(s.stack.jobs.failures));

  it('runs in a function of its own on a schedule of its own, 08:00 Asia/Tokyo Monday to Friday (the job picks the first business day)', () => {
    const schedules = Object.values(s.resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules.map((r) => JSON.parse(r.Properties.Target.Input).job).sort()).toEqual(['daily-digest', 'weekly-report']);
    expectWeekdayMorningSchedule(s, 'weekly-report', fnId(), s.stack.jobs.weeklyReportSchedulerRole);
    expect(fnId()).not.toBe(s.id(s.stack.jobs.dailyDigest));
  });

  it("lets its scheduler's role, and only its, invoke the function, and use the failure queue; that role invokes nothing else", () => {
    expectInvokeOnly(s, s.stack.jobs.weeklyReportSchedulerRole, fnId());
  });

  it('may read the users, the managers\' preferences and reports, the reps\' counters, and put its notifications; nothing else', () => {
    const grants = grantsOfFunction(s, s.stack.jobs.weeklyReport);
    expect(grants.tableItems).toEqual(
      expandItems([
        { actions: ['GetItem', 'BatchGetItem', 'Query'], keys: ['USER#*', 'USERSTATS#*'] },
        { actions: ['PutItem'], keys: ['USER#*'] },
      ]).sort(),
    );
    expect(grants.indexQueries).toEqual(['GSI1']);
    expect([grants.objects, grants.cursorSecret, grants.erasureKey, grants.invokes]).toEqual([[], false, false, []]);
    expect(grants.other).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].map((action) => ({ action, resource: queueArn(), condition: undefined })));
  });

  it('is retried twice within two hours of its time, then recorded in the failure queue; it is told the table and the front-end', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(fnId()),
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 7200,
      DestinationConfig: { OnFailure: { Destination: queueArn() } },
    });
    expect(s.resources[fnId()]!.Properties.Environment.Variables).toEqual({ NODE_OPTIONS: '--enable-source-maps', LOG_LEVEL: 'info', POWERTOOLS_SERVICE_NAME: 'LeadBackendStack', TABLE_NAME: ref(s.id(s.stack.storage.table)) });
    const configured = synth({ appBaseUrl: 'https://leads.example.com' });
    expect(configured.resources[configured.id(configured.stack.jobs.weeklyReport)]!.Properties.Environment.Variables).toMatchObject({ APP_BASE_URL: 'https://leads.example.com' });
  }, SYNTH_TIMEOUT);
});

describe('the cdk-nag check itself', () => {
  it('reports findings when there are some, so an empty report means something', () => {
    const app = new App();
    new Queue(new Stack(app, 'Bare'), 'Queue');
    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});

describe('list export', () => {
  it('runs in a worker of its own that only the exports API function may invoke, writing only under exports/', () => {
    const { resources, stack, id } = synth({});
    const worker = resources[id(stack.exports.function)]!.Properties;
    expect(worker.Environment.Variables).toMatchObject({ TABLE_NAME: expect.anything(), INTAKE_BUCKET: expect.anything() });
    // Disk for a million leads' rows spooled before the file is written, not the default 512 MB.
    expect(worker.EphemeralStorage).toEqual({ Size: 4096 });
    const requester = resources[id(stack.api.functions.exports)]!.Properties;
    expect(requester.Environment.Variables.EXPORT_FUNCTION_NAME).toEqual({ Ref: id(stack.exports.function) });
    const invokes = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: { Action: unknown }) => st.Action === 'lambda:InvokeFunction' && JSON.stringify(st).includes(id(stack.exports.function)));
    expect(invokes).toHaveLength(1);
    const writes = JSON.stringify(
      Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(id(stack.exports.function.role!)))
        .map((p) => p.Properties.PolicyDocument),
    );
    expect(writes).toContain('/exports/*');
    expect(writes).not.toContain('/imports/*');
  }, 120_000);
});

describe('a deployment for a customer: -c stage=dev -c adminEmail=… -c alarmEmail=…', () => {
  const CUSTOMER = { stage: 'dev', adminEmail: 'admin@example.com', alarmEmail: 'ops@example.com' };
  let s: Synthesised;
  beforeAll(() => {
    s = synth(CUSTOMER);
  }, SYNTH_TIMEOUT);
  const ofType = (type: string) => Object.entries(s.resources).filter(([, r]) => r.Type === type);

  describe('stage', () => {
    it('names the stack after the stage, and files logs, metrics and traces under that name', () => {
      expect(s.stack.stackName).toBe('LeadBackend-dev');
      const ours = s.stack.node.findAll().filter((node): node is NodejsFunction => node instanceof NodejsFunction);
      expect(ours.length).toBeGreaterThan(10);
      for (const fn of ours) {
        expect([fn.node.path, s.resources[s.id(fn)]!.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME]).toEqual([fn.node.path, 'LeadBackend-dev']);
      }
    });

    it('gives no resource a fixed physical name but the intake function’s, which carries the stack name', () => {
      // The properties that name a resource in the account and region (two stacks giving the same one collide).
      const PHYSICAL_NAMES = ['BucketName', 'TableName', 'FunctionName', 'QueueName', 'TopicName', 'LogGroupName', 'RoleName', 'ManagedPolicyName', 'UserPoolName', 'Domain', 'AlarmName', 'AliasName', 'ConfigurationSetName', 'StateMachineName', 'ScheduleGroupName'];
      const NAMED_BY_NAME = ['AWS::Scheduler::Schedule', 'AWS::Scheduler::ScheduleGroup', 'AWS::Events::Rule', 'AWS::SecretsManager::Secret', 'AWS::SES::ConfigurationSet'];
      const named: string[] = [];
      for (const [id, resource] of Object.entries(s.resources)) {
        for (const [key, value] of Object.entries(resource.Properties ?? {})) {
          const names = PHYSICAL_NAMES.includes(key) || (key === 'Name' && NAMED_BY_NAME.includes(resource.Type));
          // A reference to another resource names nothing new; a literal (or a joined one) does.
          const literal = typeof value === 'string' || (typeof value === 'object' && value !== null && ('Fn::Join' in value || 'Fn::Sub' in value));
          if (names && literal) named.push(`${id}.${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
        }
      }
      expect(named).toEqual([`${s.id(s.stack.intake.function)}.FunctionName=LeadBackend-dev-intake`]);
    });

    it(
      'keeps the first stack name without a stage, and refuses a stage that cannot name a stack',
      () => {
        expect(buildApp({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT }).stack.stackName).toBe('LeadBackendStack');
        for (const bad of ['Dev', 'dev_1', '1dev', 'a'.repeat(21), 'dev stage']) {
          expect(() => buildApp({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, stage: bad })).toThrow(/context stage must be/);
        }
      },
      SYNTH_TIMEOUT,
    );

    it(
      'refers to an existing sender identity when told not to create it (one identity per address in an account)',
      () => {
        const other = synth({ ...CUSTOMER, stage: 'staging', createSenderIdentity: 'false' });
        other.template.resourceCountIs('AWS::SES::EmailIdentity', 0);
        const send = functionStatementsOf(other, other.stack.notifications.dispatcher).find((st) => asList(st.Action).includes('ses:SendEmail'))!;
        expect(JSON.stringify(send.Resource)).toContain(`:identity/${CDK_JSON_CONTEXT.senderEmail}`);
        expect(send.Condition).toEqual({ StringEquals: { 'ses:FromAddress': CDK_JSON_CONTEXT.senderEmail } });
      },
      SYNTH_TIMEOUT,
    );
  });

  describe('first admin', () => {
    it('is a custom resource given the address and the name, served by our function through the provider framework', () => {
      const admins = ofType('Custom::FirstAdmin');
      expect(admins).toHaveLength(1);
      const admin = admins[0]![1];
      expect(admin.Properties).toEqual({
        ServiceToken: arnOf(s.id(s.stack.firstAdmin!.provider.node.findChild('framework-onEvent'))),
        email: 'admin@example.com',
        name: 'Admin',
      });
      expect(s.resources[s.id(s.stack.firstAdmin!.function)]!.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: expect.objectContaining({ TABLE_NAME: ref(s.id(s.stack.storage.table)), USER_POOL_ID: ref(s.id(s.stack.api.users!.userPool)) }) },
      });
    });

    it('may create and read sign-ins of the pool and write and read user records and e-mail guards, nothing else', () => {
      const grants = grantsOfFunction(s, s.stack.firstAdmin!.function);
      expect(grants.tableItems).toEqual(expandItems([{ actions: ['GetItem'], keys: ['USER#*'] }, { actions: ['PutItem'], keys: ['USER#*', 'USEREMAIL#*'] }]).sort());
      expect([grants.indexQueries, grants.objects, grants.cursorSecret, grants.erasureKey, grants.invokes]).toEqual([[], [], false, false, []]);
      expect(grants.other).toEqual(
        ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminGetUser'].map((action) => ({ action, resource: arnOf(s.id(s.stack.api.users!.userPool)), condition: undefined })),
      );
    });

    it(
      'is made only when asked for, takes the name given, and is refused with an outside issuer or a bad address',
      () => {
        synth().template.resourceCountIs('Custom::FirstAdmin', 0);
        synth({ adminEmail: 'boss@example.com', adminName: '管理 太郎' }).template.hasResourceProperties('Custom::FirstAdmin', { email: 'boss@example.com', name: '管理 太郎' });
        const base = { ...CDK_JSON_CONTEXT, ...TEST_CONTEXT };
        expect(() => buildApp({ ...base, adminEmail: 'a@example.com', jwtIssuer: 'https://issuer.example.com/', jwtAudience: 'app' })).toThrow(/with jwtIssuer/);
        expect(() => buildApp({ ...base, adminEmail: 'not an address' })).toThrow(/adminEmail must be an e-mail address/);
        expect(() => buildApp({ ...base, adminName: 'Someone' })).toThrow(/adminName goes with adminEmail/);
      },
      SYNTH_TIMEOUT,
    );
  });

  describe('alarms', () => {
    const topic = () => ref(s.id(s.stack.alarms.topic));
    const alarmOf = (key: string) => {
      const alarm = s.stack.alarms.alarms.get(key);
      if (!alarm) throw new Error(`no alarm ${key}`);
      return s.resources[s.id(alarm)]!.Properties;
    };
    const ON_THE_TOPIC = () => ({
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic()],
      OKActions: [topic()],
    });

    it('go to an encrypted, TLS-only topic, with the address given subscribed', () => {
      const properties = s.resources[s.id(s.stack.alarms.topic)]!.Properties;
      expect(properties.KmsMasterKeyId).toEqual(arnOf(s.id(s.stack.alarms.key)));
      expect(s.resources[s.id(s.stack.alarms.key)]!.Properties.EnableKeyRotation).toBe(true);
      const keyPolicy = JSON.stringify(s.resources[s.id(s.stack.alarms.key)]!.Properties.KeyPolicy);
      expect(keyPolicy).toContain('cloudwatch.amazonaws.com');
      const policy = ofType('AWS::SNS::TopicPolicy')[0]?.[1];
      expect(policy!.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
      s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: topic() });
      synth().template.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it.each([
      ['IntakeFailures', () => s.stack.intake.failures],
      ['IntakeUnhandledFailures', () => s.stack.intake.unhandledFailures],
      ['DispatcherStreamFailures', () => s.stack.notifications.streamFailures],
      ['JobFailures', () => s.stack.jobs.failures],
    ] as const)('%s: any message visible in five minutes', (name, queue) => {
      expect(alarmOf(`queue:${name}`)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [s.id(queue()), 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 0,
        EvaluationPeriods: 1,
        ...ON_THE_TOPIC(),
      });
    });

    it("the dispatcher's mails failed for good: any in five minutes, from its embedded metric of this stage", () => {
      expect(alarmOf('mailsFailed')).toMatchObject({
        Namespace: 'LeadBackend',
        MetricName: 'MailsFailed',
        Dimensions: [{ Name: 'service', Value: 'LeadBackend-dev' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        EvaluationPeriods: 1,
        ...ON_THE_TOPIC(),
      });
    });

    it("the API's 5xx rate: over 5 % of its requests in two of three five-minute periods", () => {
      const alarm = alarmOf('api5xx');
      expect(alarm).toMatchObject({ Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2, ...ON_THE_TOPIC() });
      const api = { Name: 'ApiId', Value: ref(s.id(s.stack.api.httpApi)) };
      expect(alarm.Metrics).toEqual([
        expect.objectContaining({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)', ReturnData: true }),
        { Id: 'errors', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [api] }, Period: 300, Stat: 'Sum' } },
        { Id: 'requests', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: [api] }, Period: 300, Stat: 'Sum' } },
      ]);
    });

    it('every function of ours: any error, any throttle, in five minutes; and no other alarm', () => {
      const ours = [
        s.stack.intake.function,
        s.stack.intake.giveUp,
        s.stack.notifications.dispatcher,
        s.stack.jobs.dailyDigest,
        s.stack.jobs.weeklyReport,
        s.stack.exports.function,
        s.stack.firstAdmin!.function,
        ...Object.values(s.stack.api.functions),
      ];
      for (const fn of ours) {
        const name = fn.node.path.split('/').slice(1).join('');
        for (const [kind, metric] of [['errors', 'Errors'], ['throttles', 'Throttles']] as const) {
          expect([name, alarmOf(`${kind}:${name}`)]).toEqual([
            name,
            expect.objectContaining({
              Namespace: 'AWS/Lambda',
              MetricName: metric,
              Dimensions: [{ Name: 'FunctionName', Value: ref(s.id(fn)) }],
              Statistic: 'Sum',
              Period: 300,
              Threshold: 0,
              EvaluationPeriods: 1,
              ...ON_THE_TOPIC(),
            }),
          ]);
        }
      }
      expect(ofType('AWS::CloudWatch::Alarm')).toHaveLength(4 + 1 + 1 + 2 * ours.length);
    });
  });

  it('has no unacknowledged cdk-nag AwsSolutions findings (errors or warnings)', () => {
    const report = new AwsSolutionsChecks().validateScope(s.app);
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

/**
 * A job's scheduler role: only EventBridge Scheduler's schedules of this account's default group may assume it, and
 * it may invoke the job's function itself (not its versions) and put an undelivered event in the jobs' failure queue,
 * nothing else; and no other statement lets anyone invoke that function.
 */
function expectInvokeOnly(s: Synthesised, schedulerRole: IConstruct, fnId: string): void {
  const role = s.resources[s.id(schedulerRole)]!.Properties;
  expect(role.AssumeRolePolicyDocument.Statement).toEqual([
    expect.objectContaining({
      Action: 'sts:AssumeRole',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': expect.anything() } },
    }),
  ]);
  expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain(':schedule-group/default');
  const roles = JSON.stringify([ref(s.id(schedulerRole))]);
  const statements = Object.values(s.resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === roles)
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, any>[]);
  expect(statements).toEqual([
    { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: arnOf(fnId) },
    { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(s.id(s.stack.jobs.failures)) },
  ]);
  const invokers = statementsOf(s.resources).filter((st) => asList(st.Action).includes('lambda:InvokeFunction') && JSON.stringify(st.Resource).includes(fnId));
  expect(invokers).toHaveLength(1);
}

/**
 * The one schedule of a job: 08:00 Asia/Tokyo Monday to Friday, invoking the job's function as its own scheduler
 * role with the time it stands for, delivery retried for an hour and then put in the jobs' failure queue.
 */
function expectWeekdayMorningSchedule(s: Synthesised, job: string, fnId: string, schedulerRole: IConstruct): void {
  const schedules = Object.values(s.resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule' && JSON.parse(r.Properties.Target.Input).job === job);
  expect(schedules).toHaveLength(1);
  expect(schedules[0]!.Properties).toMatchObject({
    ScheduleExpression: 'cron(0 8 ? * MON-FRI *)',
    ScheduleExpressionTimezone: 'Asia/Tokyo',
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    Target: {
      Arn: arnOf(fnId),
      RoleArn: arnOf(s.id(schedulerRole)),
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: arnOf(s.id(s.stack.jobs.failures)) },
    },
  });
  expect(JSON.parse(schedules[0]!.Properties.Target.Input)).toEqual({ job, scheduledTime: '<aws.scheduler.scheduled-time>' });
}
