import { newId } from '../ids';
import { actionsOfLead } from '../actions/repository';
import { backoffMs, sleep } from '../async';
import { counterBump } from '../campaigns/metrics';
import { getCampaign } from '../campaigns/repository';
import { config } from '../config';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import type { Caller } from '../users/caller';
import { leadEventItem } from '../leads/events';
import { tasksOnStageChange } from '../leads/lead-tasks';
import { leadItemReplacing, type Lead } from '../leads/model';
import { requireWorkableLead } from '../leads/repository';
import { checkStageChange } from '../leads/stages';
import { newNotification, notificationWrites } from '../notifications/model';
import { getItem } from '../table/client';
import { TransactionCancelledError } from '../table/errors';
import { ITEM_ABSENT } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { transact, txPut, type TransactionWrite } from '../table/transaction';
import { getUser } from '../users/repository';
import { conversionActivity } from '../stats/writes';
import { worksOwnLeadsOnly } from '../users/roles';
import { accountsNamed, getAccount } from './accounts';
import { dealAssignedMail } from './conversion-mail';
import { accountItem, accountNameKey, DEAL_OWNER_ROLES, dealItem } from './model';
import { checkDealStage } from './repository';
import type { Account, ConvertInput, Deal } from './schema';

/**
 * POST /leads/{leadId}/convert (案件化, pattern ① of seed 000 §3.7.1). One transaction, all or nothing: the account
 * (when new) and its name claim, the deal, the lead set to converted and linked to both, the account's contact and
 * deal links, +1 deal on the source campaign's counters and +1 conversion on the caller's activity of the day, the
 * lead's history event and, with `notify`, the deal owner's notification in the outbox. The lead write is conditioned on the version read and on the lead not being
 * converted: a double click converts once, with or without an Idempotency-Key.
 */

const MAX_ATTEMPTS = 5;

export interface Conversion {
  deal: Deal;
  account: Account;
  lead: { leadId: string; stage: 'converted'; accountId: string; dealIds: string[]; version: number };
  notificationId?: string;
}

const alreadyConverted = (lead: Lead) =>
  new ConflictError(`lead ${lead.leadId} is already converted`, { extensions: { dealIds: lead.dealIds ?? [], accountId: lead.accountId } });

export async function convertLead(caller: Caller, leadId: string, input: ConvertInput, now = new Date()): Promise<Conversion> {
  checkDealStage(input.deal.stage, 'body.deal.stage');
  for (let attempt = 1; ; attempt++) {
    const prepared = await prepare(caller, leadId, input, now);
    try {
      await transact(prepared.writes, { token: prepared.conversion.deal.dealId });
      return prepared.conversion;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      if (error.failed('accountName')) {
        // Someone created an account of this name meanwhile: the same choice as when it was there before.
        throw await duplicateAccounts(prepared.conversion.account.name);
      }
      if (error.failed('account')) throw new ConflictError('the account id is taken; retry');
      // The lead changed (or was converted) since we read it, or another transaction held an item: read again.
      if (attempt >= MAX_ATTEMPTS) throw new ConflictError(`lead ${leadId} is being changed by others; retry shortly`, { cause: error });
      await sleep(backoffMs(attempt, 20, 500));
    }
  }
}

async function duplicateAccounts(name: string): Promise<ConflictError> {
  const candidates = await accountsNamed(name);
  return new ConflictError(`accounts named like 「${name}」 exist: choose one (account.id), or send force: true to create another`, {
    extensions: { candidates },
  });
}

interface Prepared {
  writes: TransactionWrite[];
  conversion: Conversion;
}

async function prepare(caller: Caller, leadId: string, input: ConvertInput, now: Date): Promise<Prepared> {
  const { lead, item } = await requireWorkableLead(caller, leadId);
  if (worksOwnLeadsOnly(caller.role) && lead.ownerId !== caller.userId) {
    throw new ForbiddenError("only the lead's owner, a manager or an admin may convert it");
  }
  if (lead.stage === 'converted') throw alreadyConverted(lead);
  checkStageChange(lead.stage, 'converted', undefined, 'conversion');

  const [membership, campaign, owner, actor] = await Promise.all([
    getItem(keys.membership(leadId, input.campaignId)),
    getCampaign(input.campaignId),
    getUser(input.deal.ownerId),
    getUser(caller.userId),
  ]);
  if (!membership || !campaign) {
    throw new ValidationError("the deal's source campaign must be one of the lead's campaigns", [{ path: 'body.campaignId', message: 'the lead has no history with this campaign' }]);
  }
  if (!owner || !owner.active || !(DEAL_OWNER_ROLES as readonly string[]).includes(owner.role)) {
    throw new ValidationError(`a deal's owner must be an active user with the role ${DEAL_OWNER_ROLES.join(', ')}`, [
      { path: 'body.deal.ownerId', message: 'not an active sales, rep or manager user' },
    ]);
  }

  const timestamp = now.toISOString();
  let account: Account;
  let newAccount = false;
  if ('id' in input.account) {
    const existing = await getAccount(input.account.id);
    if (!existing) throw new ValidationError(`no account ${input.account.id}`, [{ path: 'body.account.id', message: 'no such account' }]);
    account = existing;
  } else {
    const name = input.account.new.name ?? lead.company;
    if (!name || !accountNameKey(name)) {
      throw new ValidationError('the new account needs a name: the lead has no company', [{ path: 'body.account.new.name', message: 'required' }]);
    }
    if (!input.force && (await accountsNamed(name)).length > 0) throw await duplicateAccounts(name);
    account = {
      accountId: newId(now.getTime()),
      name,
      ...(input.account.new.domain ? { domain: input.account.new.domain } : {}),
      createdBy: caller.userId,
      createdAt: timestamp,
    };
    newAccount = true;
  }

  const dealId = newId(now.getTime());
  const eventId = newId(now.getTime());
  const deal: Deal = {
    dealId,
    name: input.deal.name,
    accountId: account.accountId,
    leadId,
    campaignId: input.campaignId,
    ownerId: owner.userId,
    ...(input.deal.amountJpy !== undefined ? { amountJpy: input.deal.amountJpy } : {}),
    ...(input.deal.expectedCloseDate ? { expectedCloseDate: input.deal.expectedCloseDate } : {}),
    ...(input.deal.stage ? { stage: input.deal.stage } : {}),
    status: 'open',
    createdBy: caller.userId,
    createdAt: timestamp,
    updatedAt: timestamp,
    version: 1,
  };
  const converted: Lead = { ...lead, stage: 'converted', accountId: account.accountId, dealIds: [...(lead.dealIds ?? []), dealId], updatedAt: timestamp, version: lead.version + 1 };
  delete converted.stageReason;
  // The lead's work in inside sales is over: its open tasks are cancelled in the conversion's own transaction.
  const tasks = await tasksOnStageChange(lead, converted, item, timestamp);
  const next = tasks.lead;

  const writes: TransactionWrite[] = [
    txPut('lead', { ...leadItemReplacing(item, next), ...tasks.attributes }, {
      condition: `version = :v AND stage <> :converted AND ${tasks.guard.condition}`,
      names: tasks.guard.names,
      values: { ':v': lead.version, ':converted': 'converted', ...tasks.guard.values },
    }),
    ...tasks.writes,
    txPut('deal', dealItem(deal), { condition: ITEM_ABSENT }),
  ];
  if (newAccount) {
    writes.push(txPut('account', accountItem(account), { condition: ITEM_ABSENT }));
    // Every new account marks its name as taken; only an unforced one insists on being the first.
    const claim = { ...keys.accountName(accountNameKey(account.name)), entity: ENTITY.accountName, accountId: account.accountId, createdAt: timestamp };
    writes.push(txPut('accountName', claim, input.force ? undefined : { condition: ITEM_ABSENT }));
  }
  writes.push(
    txPut('contact', { ...keys.accountContact(account.accountId, leadId), entity: ENTITY.accountContact, accountId: account.accountId, leadId, createdAt: timestamp }),
    txPut('accountDeal', { ...keys.accountDeal(account.accountId, dealId), entity: ENTITY.accountDeal, accountId: account.accountId, dealId, createdAt: timestamp }),
    counterBump(input.campaignId, { deals: 1 }, now),
    ...conversionActivity(caller.userId, now),
    txPut(
      'event',
      leadEventItem({ eventId, leadId, kind: 'converted', at: timestamp, actorId: caller.userId, dealId, accountId: account.accountId, campaignId: input.campaignId }),
    ),
  );

  let notificationId: string | undefined;
  if (input.notify) {
    const actions = (await actionsOfLead(leadId, 20)).items;
    const actorIds = [...new Set(actions.map((a) => a.actorId))];
    const actors = await Promise.all(actorIds.map((id) => getUser(id)));
    const actorNames = new Map(actors.filter((u) => u !== undefined).map((u) => [u.userId, u.name]));
    const link = `${config.appBaseUrl()}/deals/${dealId}`;
    const content = dealAssignedMail({
      deal,
      account,
      lead,
      campaign,
      ownerName: owner.name,
      convertedByName: actor?.name ?? caller.userId,
      actions,
      actorNames,
      link,
    });
    const notification = newNotification({
      userId: owner.userId,
      kind: 'deal_assigned',
      sourceId: dealId,
      dealId,
      title: content.title,
      body: content.body,
      leadIds: [leadId],
      link,
      mail: content.mail,
      now,
    });
    notificationId = notification.notificationId;
    writes.push(...notificationWrites(notification));
  }

  return {
    writes,
    conversion: {
      deal,
      account,
      lead: { leadId, stage: 'converted', accountId: account.accountId, dealIds: next.dealIds!, version: next.version },
      ...(notificationId ? { notificationId } : {}),
    },
  };
}
