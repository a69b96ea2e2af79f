import { Duration, Size } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { backendFunction } from './function-defaults';
import { BUCKET_PREFIXES } from '../lib/storage/layout';
import type { Storage } from './storage';

export interface ExportsProps {
  storage: Storage;
  /** The API functions that start exports (POST /exports): Api.exportRequesters. */
  requesters: NodejsFunction[];
}

/**
 * The list-export worker: writes the workbook of an export to exports/ in the intake bucket. A function of its own,
 * invoked asynchronously by the API, so that no API function bundles the workbook writer.
 */
export class Exports extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: ExportsProps) {
    super(scope, id);
    const { storage } = props;
    this.function = backendFunction(this, 'Function', {
      entry: 'functions/exports/handler.ts',
      description: 'Writes list exports (リスト出力) to exports/ in the intake bucket',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      // Room for the rows spooled between reading the leads and writing the file (lib/exports/spool.ts): at most a
      // million leads (EXPORT_READ_ITEMS), about 2 KB a lead with a dozen survey answers.
      ephemeralStorageSize: Size.mebibytes(4096),
      // A failed export is marked failed on its record and asked for again by the user; no blind retries.
      retryAttempts: 0,
      environment: {
        ...storage.tableEnvironment(),
        INTAKE_BUCKET: storage.intakeBucket.bucketName,
      },
    });
    storage.grantTableRead(this.function);
    storage.grantObjects(this.function, 's3:PutObject', BUCKET_PREFIXES.exports);

    for (const requester of props.requesters) {
      // The function itself, not `:*` (its versions and aliases) as grantInvoke would allow.
      requester.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }));
      requester.addEnvironment('EXPORT_FUNCTION_NAME', this.function.functionName);
    }
  }
}
