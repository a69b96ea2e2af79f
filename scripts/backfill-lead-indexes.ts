// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is known and only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { backfillLeadIndexes } from '../lib/leads/index-backfill';
import { runAgainstTable } from './against-table';

/**
 * `npm run backfill:lead-indexes`: once, after upgrading a deployment whose leads were written before the work queue's
 * indexes or before leads kept their campaign sets (lib/leads/index-backfill.ts). Against the running local stack by
 * default; with TABLE_NAME set (and AWS credentials), against that table.
 */

runAgainstTable(async () => {
  const { leads, updated, campaignSets } = await backfillLeadIndexes();
  return `${leads} leads read, ${updated} given their queue and next-action index keys, ${campaignSets} given or completed their campaign set`;
});
