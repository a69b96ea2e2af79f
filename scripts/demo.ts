// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is known and only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sleep } from '../lib/async';
import { apiClient, followImport, outcomeLine, progressLine, progressPrinter, uploadList, type ApiClient } from '../lib/local/api-client';
import { localTokenFor, localUrls } from '../lib/local/tokens';
import type { ImportKind } from '../lib/intake/schema';

/**
 * `npm run demo` (with `npm start` running in another terminal): the product's standard flow on the example lists,
 * through the HTTP API as a front-end would drive it. Marketing makes a campaign and uploads its invitation list,
 * then its participant list (presigned uploads, as `npm run upload` does); the manager deals the new leads between
 * rep1 and rep2 (each gets an e-mail); rep1 logs a call on one of its leads. It ends by printing where to look.
 * `--api` and `--ses` point it elsewhere than the local stack's default ports (API_PORT, SES_PORT).
 */

const EXAMPLES = join(__dirname, '..', 'examples');

interface SentMail {
  destination: { to: string[] };
  subject: string;
}

async function upload(client: ApiClient, campaignId: string, kind: ImportKind, file: string) {
  const { importId } = await uploadList(client, { filePath: join(EXAMPLES, file), campaignId, kind });
  const progress = progressPrinter();
  const record = await followImport(client, importId, { onProgress: (r) => progress.update(`  ${progressLine(r)}`) });
  progress.done(`  ${outcomeLine(record)}`);
  if (record.status === 'failed') throw new Error(`the ${kind} list did not import: ${record.reason}`);
  return record;
}

/** Mail the SES emulator holds for these addresses; waits (bounded) for the outbox to send it. */
async function mailFor(sesUrl: string, addresses: string[], timeoutMs = 30_000): Promise<SentMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${sesUrl}/store`).catch((error: Error) => {
      throw new Error(`cannot reach the SES emulator at ${sesUrl}: ${error.cause ?? error.message}`);
    });
    const { emails } = (await response.json()) as { emails: SentMail[] };
    const found = emails.filter((mail) => mail.destination.to.some((to) => addresses.includes(to)));
    if (addresses.every((address) => found.some((mail) => mail.destination.to.includes(address)))) return found;
    if (Date.now() > deadline) throw new Error(`no e-mail for ${addresses.join(', ')} in the SES emulator after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

async function main() {
  const defaults = localUrls();
  const { values } = parseArgs({ options: { api: { type: 'string', default: defaults.api }, ses: { type: 'string', default: defaults.ses } } });
  const api = values.api.replace(/\/+$/, '');
  const health = await fetch(`${api}/health`).catch(() => undefined);
  if (!health?.ok) throw new Error(`no API at ${api}: start the local stack first (npm start), or pass --api <url>`);

  const marketing = apiClient(api, await localTokenFor('marketing'));
  const manager = apiClient(api, await localTokenFor('manager'));
  const rep1Token = await localTokenFor('rep1');
  const rep1 = apiClient(api, rep1Token);

  const today = new Date().toISOString().slice(0, 10);
  const campaign = await marketing.call<{ campaignId: string; name: string }>('POST', '/campaigns', {
    name: `春のDXセミナー（デモ ${new Date().toISOString().slice(0, 16).replace('T', ' ')}）`,
    type: 'seminar',
    status: 'active',
    method: 'offline',
    startDate: today,
    endDate: today,
    budgetJpy: 1_200_000,
    targets: { leads: 20, actions: 30, deals: 3 },
  });
  const campaignId = campaign.campaignId;
  process.stdout.write(`1. marketing made the campaign ${campaign.name} (${campaignId})\n`);

  process.stdout.write('2. marketing uploads the invitation list, then the participant list\n');
  await upload(marketing, campaignId, 'invitation', 'invitation.xlsx');
  await upload(marketing, campaignId, 'participant', 'participants.xlsx');

  const assignment = await manager.call<{ assigned: number; owners: { ownerId: string; count: number }[] }>('POST', '/leads/assign', {
    filter: { campaignId, owner: 'unassigned' },
    ownerIds: ['rep1', 'rep2'],
    strategy: 'round_robin',
  });
  process.stdout.write(
    assignment.assigned > 0
      ? `3. the manager assigned ${assignment.assigned} leads: ${assignment.owners.map((o) => `${o.ownerId} ${o.count}`).join(', ')}\n`
      : '3. the manager found no unassigned lead in the campaign: every person on the lists has an owner from an earlier run\n',
  );

  const mine = await rep1.call<{ items: { leadId: string; name: string; company?: string }[] }>('GET', `/leads?owner=me&campaignId=${campaignId}&limit=1`);
  const lead = mine.items[0];
  if (lead) {
    await rep1.call('POST', `/leads/${lead.leadId}/actions`, {
      campaignId,
      at: new Date().toISOString(),
      channel: 'phone',
      content: 'お礼',
      result: '興味あり',
      note: 'セミナー参加のお礼。資料を送付する。',
      stage: 'working',
    });
    process.stdout.write(`4. rep1 logged a call on ${lead.name}${lead.company ? `（${lead.company}）` : ''} (${lead.leadId}): stage working\n`);
  } else {
    process.stdout.write('4. rep1 has no lead of this campaign (every person was assigned already by an earlier run): no action logged\n');
  }

  // The owners given leads now; when there were none (a second run), the mail of the earlier assignment.
  const given = assignment.owners.filter((o) => o.count > 0).map((o) => `${o.ownerId}@example.com`);
  const owners = given.length > 0 ? given : ['rep1@example.com'];
  const mail = await mailFor(values.ses, owners);
  process.stdout.write(`5. the SES emulator holds ${mail.length} e-mail(s) for ${owners.join(', ')}, e.g. "${mail[mail.length - 1]!.subject}"\n`);

  const auth = `-H "authorization: Bearer ${rep1Token}"`;
  process.stdout.write(
    [
      '',
      'Where to look:',
      `  the API            ${api}   (every route: ${api}/openapi.json)`,
      `  rep1's leads       curl -s "${api}/leads?owner=me&campaignId=${campaignId}" ${auth}`,
      `  the metrics        curl -s ${api}/campaigns/${campaignId}/metrics ${auth}`,
      `  the imports        curl -s "${api}/imports?campaignId=${campaignId}" -H "authorization: Bearer $(npm run -s token -- marketing)"`,
      `  the SES inbox      ${values.ses}   (as JSON: ${values.ses}/store)`,
      '',
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
