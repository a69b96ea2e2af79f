import { leadFromItem } from '../../lib/leads/model';
import { getItem } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import type { TestStack } from './local-stack';

/** What intake tests do again and again: make a campaign, upload a list, look at what it left in the table. */
export function intakeHelpers(stack: () => TestStack) {
  return {
    async newCampaign(name = 'セミナー'): Promise<string> {
      const { body } = await stack().api('POST', '/campaigns', { as: 'marketing', body: { name, type: 'seminar' } });
      return body.campaignId;
    },

    /** Uploads a list into the bucket and returns the import it produced (the newest for that campaign). */
    async importList(campaignId: string, kind: string, fileName: string, body: Buffer | string) {
      await stack().upload(`imports/${campaignId}/${kind}/${fileName}`, body);
      const { body: page } = await stack().api('GET', `/imports?campaignId=${campaignId}&limit=1`, { as: 'marketing' });
      expect(page.items).toHaveLength(1);
      return page.items[0];
    },

    /** Uploads a list as a user would: POST /imports for a presigned PUT, the PUT, then the import it ran. */
    async uploadAs(userId: string, campaignId: string, kind: string, fileName: string, body: Buffer | string) {
      const started = await stack().api('POST', '/imports', { as: userId, body: { campaignId, kind, fileName } });
      expect(started.status).toBe(201);
      const put = await fetch(started.body.uploadUrl, { method: 'PUT', headers: started.body.uploadHeaders, body });
      expect(put.status).toBe(200);
      await stack().intakeIdle();
      return (await stack().api('GET', `/imports/${started.body.importId}`, { as: userId })).body;
    },

    async leadByEmail(email: string) {
      const claim = await getItem<{ leadId: string }>(keys.leadMatchKey(`e:${email}`));
      if (!claim) return undefined;
      const item = await getItem(keys.lead(claim.leadId));
      return item ? leadFromItem(item) : undefined;
    },

    membership: (leadId: string, campaignId: string) => getItem<Record<string, unknown>>(keys.membership(leadId, campaignId)),
    metrics: (campaignId: string) => getItem<Record<string, number>>(keys.campaignMetrics(campaignId)),
  };
}
