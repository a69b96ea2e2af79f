// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is known and only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { backfillLeadLookups } from '../lib/leads/lookups';
import { runAgainstTable } from './against-table';

/**
 * `npm run backfill:lead-lookups`: once, after upgrading a deployment whose leads were written before they had
 * look-up entries (GET /leads?phone=, and ?email= where the dedupe key is e-mail and name). Until then those leads
 * are not found by a look-up. Against the running local stack by default; with TABLE_NAME set (and AWS
 * credentials), against that table.
 */

runAgainstTable(async () => {
  const { leads, entries } = await backfillLeadLookups();
  return `${leads} leads, ${entries} look-up entries written`;
});
