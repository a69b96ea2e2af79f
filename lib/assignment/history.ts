import { query, toAttributes, type Item } from '../table/client';
import { keys } from '../table/keys';

/** The lead's history of owners: every assignment and hand-over, oldest first. */
export async function leadEvents(leadId: string): Promise<Item[]> {
  const out: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await query<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: toAttributes({ ':pk': keys.lead(leadId).PK, ':prefix': keys.leadEventPrefix }),
      startKey,
    });
    out.push(...page.items.map(({ PK, SK, entity, ...event }) => event));
    startKey = page.lastKey;
  } while (startKey);
  return out;
}
