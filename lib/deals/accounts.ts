import { NotFoundError } from '../errors';
import { leadFromItem } from '../leads/model';
import { batchGet, getItem, keyString, type Item } from '../table/client';
import { ENTITY, keys } from '../table/keys';
import { queryAll, queryPage } from '../table/queries';
import { accountFromItem, accountNameKey, dealFromItem } from './model';
import type { Account, AccountListQuery } from './schema';

/** Accounts (取引先): by id, by name, and an account's page with its contacts and deals. */

export async function getAccount(accountId: string): Promise<Account | undefined> {
  const item = await getItem(keys.account(accountId));
  return item ? accountFromItem(item) : undefined;
}

/** GET /accounts?name=: a name prefix, ignoring width, case, spaces and legal forms; in name order. */
export async function listAccounts(query: AccountListQuery, startKey?: Item) {
  const prefix = query.name ? accountNameKey(query.name) : '';
  const page = await queryPage<Item>({
    index: 'gsi3',
    partition: keys.accountsByNamePartition,
    ...(prefix ? { sortPrefix: prefix } : {}),
    limit: query.limit,
    startKey,
  });
  return { items: page.items.map(accountFromItem), lastKey: page.lastKey };
}

/** Accounts whose normalised name is exactly this one's: the candidates a new account may duplicate. */
export async function accountsNamed(name: string, limit = 20): Promise<Account[]> {
  const key = accountNameKey(name);
  if (!key) return [];
  const page = await queryPage<Item>({ index: 'gsi3', partition: keys.accountsByNamePartition, sortPrefix: `${key}#`, limit });
  return page.items.map(accountFromItem);
}

/** GET /accounts/{id}: the account, its contacts (converted leads, as they are now) and its deals. */
export async function accountDetail(accountId: string) {
  const links = await queryAll<Item>({ partition: keys.accountPartition(accountId) });
  const accountItem = links.find((i) => i.entity === ENTITY.account);
  if (!accountItem) throw new NotFoundError(`no account ${accountId}`);
  const contactIds = links.filter((i) => i.entity === ENTITY.accountContact).map((i) => i.leadId as string);
  const dealIds = links.filter((i) => i.entity === ENTITY.accountDeal).map((i) => i.dealId as string);
  const found = await batchGet<Item>([...contactIds.map(keys.lead), ...dealIds.map(keys.deal)]);
  const contacts = contactIds
    .map((id) => found.get(keyString(keys.lead(id))))
    .filter((item): item is Item => item !== undefined)
    .map(leadFromItem)
    .map((lead) => ({
      leadId: lead.leadId,
      name: lead.name,
      ...(lead.company ? { company: lead.company } : {}),
      ...(lead.department ? { department: lead.department } : {}),
      ...(lead.title ? { title: lead.title } : {}),
      ...(lead.email ? { email: lead.email } : {}),
      stage: lead.stage,
      ...(lead.ownerId ? { ownerId: lead.ownerId } : {}),
    }));
  const deals = dealIds
    .map((id) => found.get(keyString(keys.deal(id))))
    .filter((item): item is Item => item !== undefined)
    .map(dealFromItem)
    .sort((a, b) => (a.dealId < b.dealId ? 1 : -1));
  return { ...accountFromItem(accountItem), contacts, deals };
}
