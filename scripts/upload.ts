// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is known and only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { parseArgs } from 'node:util';
import { apiClient, followImport, outcomeLine, progressLine, progressPrinter, uploadList } from '../lib/local/api-client';
import { localTokenFor, localUrls } from '../lib/local/tokens';
import { isImportKind } from '../lib/intake/schema';

/**
 * `npm run upload -- <file> --campaign <id> --kind invitation|participant|update [--token …] [--api …] [--as …]`:
 * asks POST /imports for a presigned upload, sends the file, and follows the import to its end with a progress line
 * (rows done of the file's rows). No AWS CLI or credentials needed. Exit 0 when every row went in, 2 when the import
 * ended with rejected rows (the rejections workbook says why), 1 when it failed or could not start.
 */

const USAGE = 'usage: npm run upload -- <file> --campaign <campaignId> --kind invitation|participant|update [--token <bearer>] [--as <userId>] [--api <url>]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      campaign: { type: 'string' },
      kind: { type: 'string' },
      token: { type: 'string' },
      as: { type: 'string', default: 'marketing' },
      api: { type: 'string', default: localUrls().api },
      name: { type: 'string' },
    },
  });
  const [filePath] = positionals;
  if (!filePath || !values.campaign || !values.kind) throw new Error(USAGE);
  if (!isImportKind(values.kind)) throw new Error(`--kind must be invitation, participant or update, not "${values.kind}"\n${USAGE}`);
  // Without --token, a local token for --as (marketing by default), as `npm run token` makes it.
  const token = values.token ?? (await localTokenFor(values.as));
  const client = apiClient(values.api, token);

  const { importId } = await uploadList(client, { filePath, campaignId: values.campaign, kind: values.kind, fileName: values.name });
  process.stdout.write(`import ${importId}\n`);
  const progress = progressPrinter();
  const record = await followImport(client, importId, { onProgress: (r) => progress.update(progressLine(r)) });
  progress.done(outcomeLine(record));
  if (record.hasRejections) {
    process.stdout.write(`rows not taken, with the reason for each: curl -s ${client.baseUrl}/imports/${importId}/rejections -H "authorization: Bearer $(npm run -s token -- ${values.as})"\n`);
  }
  return record.status === 'succeeded' ? 0 : record.status === 'completed_with_errors' ? 2 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
