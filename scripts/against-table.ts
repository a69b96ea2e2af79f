import { defaultOptions } from '../lib/local/stack';

/**
 * Runs a one-off job (a backfill after an upgrade) against the running local stack's table, or, when TABLE_NAME is
 * set (with AWS credentials), against that table; prints its line, or its error and exits 1.
 */
export function runAgainstTable(job: () => Promise<string>): void {
  if (!process.env.TABLE_NAME) {
    const options = defaultOptions();
    process.env.TABLE_NAME = options.tableName;
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${options.dynamodbPort}`;
  }
  job()
    .then((line) => process.stdout.write(`${line}\n`))
    .catch((error) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    });
}
