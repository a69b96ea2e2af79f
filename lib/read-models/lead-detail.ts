import { latestActions } from '../actions/repository';
import { campaignHistory, requireVisibleLead } from '../leads/repository';
import type { Caller } from '../users/caller';
import { getUser } from '../users/repository';

/**
 * GET /leads/{leadId}: the lead's page. Reads the lead, its campaign histories, its latest actions and its owner:
 * a view over three domains, so it lives above them.
 */
export async function leadDetail(caller: Caller, leadId: string) {
  const { lead } = await requireVisibleLead(caller, leadId);
  const [campaigns, actions, owner] = await Promise.all([
    campaignHistory(leadId),
    latestActions(leadId, 10),
    lead.ownerId ? getUser(lead.ownerId) : undefined,
  ]);
  return {
    lead,
    ...(owner ? { owner: { userId: owner.userId, name: owner.name, ...(owner.team ? { team: owner.team } : {}) } } : {}),
    campaigns,
    latestActions: actions.items,
    counts: { campaigns: campaigns.length, actions: actions.total, deals: lead.dealIds?.length ?? 0, accounts: lead.accountId ? 1 : 0 },
    version: lead.version,
  };
}

