import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { leadItem, newMembershipItem, type Lead } from '../../lib/leads/model';
import { batchWrite, putRequest } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';

/**
 * A lead written straight into the table, as one an earlier import made and a manager gave to `ownerId` at
 * `assignedAt`: its dedupe claim and a responded history of `campaignId` (arisen 2026-11-10) beside it. The activity
 * tests script what happens to it next through the HTTP API. `prefix` names it (`{label} {name}`, `{prefix}-{name}@…`).
 */
export async function seedAssignedLead(options: { label: string; prefix: string; name: string; ownerId: string; assignedAt: string; campaignId: string }): Promise<string> {
  const { label, prefix, name, ownerId, assignedAt, campaignId } = options;
  const leadId = ulid();
  const at = new Date('2026-11-10T09:00:00+09:00').toISOString();
  const email = `${prefix}-${name.toLowerCase()}@example.com`;
  const lead: Lead = {
    leadId,
    name: `${label} ${name}`,
    email,
    company: `株式会社${label}${name}`,
    stage: 'new',
    ownerId,
    assignedAt: new Date(assignedAt).toISOString(),
    extra: {},
    matchKey: `e:${email}`,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await batchWrite([
    putRequest(leadItem(lead)),
    putRequest({ ...keys.leadMatchKey(lead.matchKey), entity: 'LeadMatchKey', leadId }),
    putRequest(newMembershipItem({ leadId, campaignId, flag: 'responded', marker: 'seed', arisenOn: '2026-11-10', at })),
  ]);
  return leadId;
}

/** `npm run -s schedule -- …` in a process of its own, against a running test stack's table on its DynamoDB Local. */
export function runScheduleScript(stack: { tableName: string; dynamodbUrl: string }, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(__dirname, '../../node_modules/.bin/tsx'),
      ['scripts/schedule.ts', ...args],
      {
        cwd: join(__dirname, '../..'),
        env: { ...process.env, TABLE_NAME: stack.tableName, DYNAMODB_ENDPOINT: stack.dynamodbUrl, LOG_LEVEL: 'silent' },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
