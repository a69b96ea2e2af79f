import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BUCKET_PREFIXES, type BucketPrefix } from '../lib/storage/layout';
import { INDEXES, REPLACED_INDEXES, TABLE_DEFINITION, indexNameOf, type IndexDefinition, type IndexKey } from '../lib/table/definition';
import { PARTITION_PREFIXES, type PartitionKind } from '../lib/table/keys';
import { acknowledgeOnGrantee } from './function-defaults';

/** The item-level DynamoDB actions a grant may name; never Scan. */
export type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'Query' | 'BatchGetItem' | 'BatchWriteItem';

export interface StorageProps {
  /** Refuse to delete the table through CloudFormation. */
  deletionProtection: boolean;
  /** Only the first N of the table's indexes in the order deployments added them (INDEXES_IN_DEPLOYMENT_ORDER); the release's own when absent (see infra/app.ts `tableIndexes`). */
  tableIndexes?: number;
  /** Browser origins allowed to PUT/GET the bucket through presigned URLs. */
  allowedOrigins: string[];
}

/**
 * Every index a deployment of this stack has had, in the order deployments added them: the release's indexes with a
 * replaced one in its place (lib/table/definition.ts REPLACED_INDEXES), then the successors of the replaced ones.
 * `tableIndexes=N` deploys the first N, so an existing table gains one index per deployment, counting up, and the
 * deployment without it drops the replaced ones. While the first N hold a replaced index, the functions read it
 * (its successor is still being built).
 */
export const INDEXES_IN_DEPLOYMENT_ORDER: { key: IndexKey; index: IndexDefinition; replaced: boolean }[] = [
  ...(Object.entries(INDEXES) as [IndexKey, IndexDefinition][]).map(([key, index]) =>
    key in REPLACED_INDEXES ? { key, index: REPLACED_INDEXES[key as keyof typeof REPLACED_INDEXES], replaced: true } : { key, index, replaced: false },
  ),
  ...(Object.keys(REPLACED_INDEXES) as IndexKey[]).map((key) => ({ key, index: INDEXES[key] as IndexDefinition, replaced: false })),
];

/** The single table and the intake bucket (with its access-log bucket), and the key of the erased people's hashes. */
export class Storage extends Construct {
  readonly table: Table;
  /** Indexes this deployment reads under their former names (a replaced index kept while its successor builds). */
  readonly formerIndexes: IndexKey[];
  readonly intakeBucket: Bucket;
  readonly accessLogBucket: Bucket;
  /**
   * HMAC key of the hashes that remember people erased on request (lib/leads/erased-key.ts). Kept with the table it
   * belongs to: losing or rotating it would let erased people's next list rows create them again.
   */
  readonly erasureKey: Secret;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const deployed = props.tableIndexes === undefined ? TABLE_DEFINITION.indexes : INDEXES_IN_DEPLOYMENT_ORDER.slice(0, props.tableIndexes).map((entry) => entry.index);
    this.formerIndexes =
      props.tableIndexes === undefined ? [] : INDEXES_IN_DEPLOYMENT_ORDER.slice(0, props.tableIndexes).filter((entry) => entry.replaced).map((entry) => entry.key);
    this.table = singleTable(this, props.deletionProtection, deployed);
    this.accessLogBucket = accessLogBucket(this);
    this.intakeBucket = intakeBucket(this, this.accessLogBucket, props.allowedOrigins);
    this.erasureKey = new Secret(this, 'ErasureKey', {
      description: 'HMAC key of the one-way hashes that remember leads erased on request',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.erasureKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating this key would orphan every stored hash of an erased person, whose next list row would then create them again.',
    });
  }

  /** What every function that reads the table is told of it: its name, and the indexes it reads under former names. */
  tableEnvironment(): Record<string, string> {
    return { TABLE_NAME: this.table.tableName, ...(this.formerIndexes.length > 0 && { TABLE_FORMER_INDEXES: this.formerIndexes.join(',') }) };
  }

  /** The erasure key, to hash a dedupe key (the leads API erases, the intake turns erased people away). */
  grantErasureKey(grantee: IGrantable & { addEnvironment(key: string, value: string): unknown }): void {
    grantee.addEnvironment('ERASURE_SECRET_ARN', this.erasureKey.secretArn);
    this.erasureKey.grantRead(grantee);
  }

  /** Items and every index: queries on the GSIs need `index/*`. */
  grantTableReadWrite(grantee: IGrantable): Grant {
    const grant = this.table.grantReadWriteData(grantee);
    acknowledgeOnGrantee(grantee, {
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.table)}.Arn>/index/*]`,
      reason: 'grantReadWriteData covers the GSIs of this table as index/*, and the access patterns query them.',
    });
    return grant;
  }

  /** Only these item-level actions, on the table's items (Table.grant would add its indexes too). */
  grantTableItems(grantee: IGrantable, ...actions: ('GetItem' | 'PutItem' | 'UpdateItem')[]): Grant {
    return Grant.addToPrincipal({ grantee, actions: actions.map((action) => `dynamodb:${action}`), resourceArns: [this.table.tableArn] });
  }

  /**
   * These actions on the table's items (not its indexes), only where the partition key starts with a prefix of one of
   * these kinds (dynamodb:LeadingKeys; ForAllValues, as AWS requires for this key: every key a request touches must
   * match).
   */
  grantItems(grantee: IGrantable, actions: ItemAction[], partitions: PartitionKind[]): Grant {
    if (actions.length === 0 || partitions.length === 0) throw new Error('a grant on items names its actions and partitions');
    return Grant.addToPrincipal({
      grantee,
      actions: actions.map((action) => `dynamodb:${action}`),
      resourceArns: [this.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions.map((kind) => `${PARTITION_PREFIXES[kind]}*`) } },
    });
  }

  /** Query on these indexes only, by their ARNs (no `index/*`). */
  grantIndexQueries(grantee: IGrantable, indexes: IndexKey[]): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: indexes.map((index) => `${this.table.tableArn}/index/${indexNameOf(index, this.formerIndexes)}`),
    });
  }

  /** Items and every index, read only. */
  grantTableRead(grantee: IGrantable): Grant {
    const grant = this.table.grantReadData(grantee);
    acknowledgeOnGrantee(grantee, {
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.table)}.Arn>/index/*]`,
      reason: 'grantReadData covers the GSIs of this table as index/*, and the lead lists query them.',
    });
    return grant;
  }

  /**
   * Object-level S3 access under the given prefixes only. Presigned URLs carry the signer's permissions, so this is
   * also exactly what a browser can do with a URL the API hands out.
   */
  grantObjects(grantee: IGrantable, action: 's3:GetObject' | 's3:PutObject', ...prefixes: BucketPrefix[]): Grant {
    for (const prefix of prefixes) {
      acknowledgeOnGrantee(grantee, {
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.intakeBucket)}.Arn>/${prefix}*]`,
        reason: `Object keys under ${prefix} are chosen at run time; access is limited to that prefix and to ${action}.`,
      });
    }
    return Grant.addToPrincipal({
      grantee,
      actions: [action],
      resourceArns: prefixes.map((prefix) => this.intakeBucket.arnForObjects(`${prefix}*`)),
    });
  }
}

/** The logical id cdk-nag names a resource by in its findings. */
const logicalIdOf = (construct: Construct) =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

const string = (name: string) => ({ name, type: AttributeType.STRING });

function singleTable(scope: Construct, deletionProtection: boolean, indexes: readonly IndexDefinition[]): Table {
  const table = new Table(scope, 'Table', {
    partitionKey: string(TABLE_DEFINITION.partitionKey),
    sortKey: string(TABLE_DEFINITION.sortKey),
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
    deletionProtection,
    encryption: TableEncryption.AWS_MANAGED,
    // Read by the notification outbox consumer (a later issue).
    stream: StreamViewType.NEW_AND_OLD_IMAGES,
  });
  for (const index of indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: string(index.partitionKey),
      sortKey: string(index.sortKey),
      ...(index.projects ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projects] } : { projectionType: ProjectionType.ALL }),
    });
  }
  return table;
}

function accessLogBucket(scope: Construct): Bucket {
  const bucket = new Bucket(scope, 'AccessLogs', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: BucketEncryption.S3_MANAGED,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This bucket is the access-log target; logging it to itself would loop and to another bucket only moves the question.',
  });
  return bucket;
}

function intakeBucket(scope: Construct, logs: Bucket, allowedOrigins: string[]): Bucket {
  const days = Duration.days;
  return new Bucket(scope, 'IntakeBucket', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: BucketEncryption.S3_MANAGED,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: 'intake/',
    lifecycleRules: [
      {
        id: 'tidy-versions',
        noncurrentVersionExpiration: days(30),
        expiredObjectDeleteMarker: true,
        abortIncompleteMultipartUploadAfter: days(1),
      },
      // An upload is processed within minutes; it is kept a while for support questions about the import.
      // Every prefix holds personal data: a version replaced or expired goes a day later, not a month (S3 applies
      // the shortest expiration where rules overlap).
      { id: 'expire-imports', prefix: BUCKET_PREFIXES.imports, expiration: days(90), noncurrentVersionExpiration: days(1) },
      // Reports and exports are downloaded right after they are made; they hold personal data, so they go soon.
      { id: 'expire-rejections', prefix: BUCKET_PREFIXES.rejections, expiration: days(7), noncurrentVersionExpiration: days(1) },
      { id: 'expire-exports', prefix: BUCKET_PREFIXES.exports, expiration: days(7), noncurrentVersionExpiration: days(1) },
    ],
    cors: [
      {
        allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
        allowedOrigins,
        allowedHeaders: ['*'],
        exposedHeaders: ['ETag'],
        maxAge: 3000,
      },
    ],
  });
}
