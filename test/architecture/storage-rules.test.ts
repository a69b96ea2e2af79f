import { sourceFiles } from './source-files';
import { storageViolations } from './storage-rules';

describe('storage stays inside its adapters', () => {
  test('every rule holds in lib/, functions/ and infra/', () => {
    expect(storageViolations(sourceFiles())).toEqual([]);
  });

  test('the rules see what they look for', () => {
    const leaky = {
      path: 'lib/leads/leaky.ts',
      packages: ['@aws-sdk/client-dynamodb'],
      code: [
        "const out = await dynamo().send(new QueryCommand({ TableName: t, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', Select: 'COUNT' }));",
        "if (error.reasons[1] === 'ConditionalCheckFailed') throw conflict;",
        "const prefix = 'ACTION#'; const index = 'GSI2'; const key = `imports/${id}`; const v = process.env.X;",
        'do { startKey = page.lastKey; } while (startKey);',
      ].join('\n'),
    };
    const rules = storageViolations([leaky]).map((line) => line.replace(/ \(.*$/, '').replace('lib/leads/leaky.ts: ', ''));
    expect(rules).toEqual([
      'the DynamoDB SDK is used only by the table adapter',
      'no SDK command is constructed outside the adapters',
      'table names, index names and pages are the adapter’s',
      'counting is the adapter’s',
      'reading every page is the adapter’s: queryAll, queryPages',
      'sort-key prefixes are a query option, not an expression',
      'a cancelled transaction is read by label, not by position',
      'key prefixes are written only in keys.ts',
      'index names and index key attributes only in keys.ts and definition.ts',
      'the table’s key attributes are named only by the adapter',
      'the bucket’s layout is declared once',
      'the environment is read only in lib/config.ts',
    ]);
    expect(storageViolations([{ ...leaky, path: 'lib/table/leaky.ts' }]).join('\n')).not.toMatch(/SDK|marshalled|counting/);
  });
});
