import { withoutTableAttributes } from '../table/attributes';
import type { Item } from '../table/client';
import { ENTITY, keys } from '../table/keys';
import { normaliseCompany } from '../text/normalize';
import type { Account, Deal } from './schema';

/**
 * Deals at DEAL#{dealId}/DEAL, listed by owner (GSI1), status (GSI2) and source campaign (GSI4). Accounts at
 * ACCOUNT#{accountId}/ACCOUNT, found by normalised name (GSI3); their contacts and deals are link items in the
 * account's own partition, so an account's page is one query.
 */

/** Who may be a deal's main owner (案件主担当): field sales, inside sales reps and managers. */
export const DEAL_OWNER_ROLES = ['sales', 'rep', 'manager'] as const;

export function dealItem(deal: Deal): Item {
  return {
    ...keys.deal(deal.dealId),
    ...keys.dealsByOwnerIndex(deal.ownerId, deal.dealId),
    ...keys.dealsByStatusIndex(deal.status, deal.dealId),
    ...keys.dealsByCampaignIndex(deal.campaignId, deal.dealId),
    entity: ENTITY.deal,
    ...deal,
  };
}

export function dealFromItem(item: Item): Deal {
  return withoutTableAttributes<Deal>(item);
}

/** What a deal adds to its campaign's won counters: one won deal and its amount, or nothing. */
export const wonContribution = (deal: Pick<Deal, 'status' | 'amountJpy'>) =>
  deal.status === 'won' ? { wonDeals: 1, wonAmountJpy: deal.amountJpy ?? 0 } : { wonDeals: 0, wonAmountJpy: 0 };

export const accountNameKey = (name: string): string => normaliseCompany(name);

export function accountItem(account: Account): Item {
  return {
    ...keys.account(account.accountId),
    ...keys.accountsByNameIndex(accountNameKey(account.name), account.accountId),
    entity: ENTITY.account,
    ...account,
    nameKey: accountNameKey(account.name),
  };
}

export function accountFromItem(item: Item): Account {
  return withoutTableAttributes<Account>(item, 'nameKey');
}
