// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is known and only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { listCampaigns } from '../lib/campaigns/repository';
import { backfillHistoryOwners } from '../lib/leads/memberships';
import type { Item } from '../lib/table/client';
import { runAgainstTable } from './against-table';

/**
 * `npm run backfill:history-owners`: once, after upgrading a deployment whose campaign histories were written
 * before they carried their lead's owner. Until then an agent sees none of those campaigns (it fails closed).
 * Against the running local stack by default; with TABLE_NAME set (and AWS credentials), against that table.
 */

runAgainstTable(async () => {
  let campaigns = 0;
  let histories = 0;
  let startKey: Item | undefined;
  do {
    const page = await listCampaigns({ limit: 100 } as Parameters<typeof listCampaigns>[0], startKey);
    for (const campaign of page.items) {
      histories += await backfillHistoryOwners(campaign.campaignId);
      campaigns++;
    }
    startKey = page.lastKey;
  } while (startKey);
  return `${campaigns} campaigns, ${histories} histories given their lead's owner`;
});
