import { getCampaign } from '../campaigns/repository';
import { FAULT_POINTS, faultPoint } from '../faults';
import { newNotification, NOTIFICATION_WRITE, notificationWrites } from '../notifications/model';
import { TransactionCancelledError } from '../table/errors';
import { transact } from '../table/transaction';
import type { User } from '../users/schema';
import { getUser } from '../users/repository';
import type { Applied } from './apply';
import type { AssignmentRecord } from './journal';
import { assignmentDigest } from './mail';

/**
 * Step 4 of an assignment: one notification per owner for everything the operation gave them (in-app, and an
 * e-mail through the outbox). Notification ids derive from the operation and the owner, so a replay finds them
 * written already and tells nobody twice.
 */

async function campaignNames(ids: string[]): Promise<string[]> {
  const campaigns = await Promise.all([...new Set(ids)].slice(0, 20).map((id) => getCampaign(id)));
  return campaigns.filter((c) => c !== undefined).map((c) => c.name);
}

export async function publishNotifications(record: AssignmentRecord, applied: Applied[], owners: Map<string, User>): Promise<void> {
  const byOwner = new Map<string, Applied[]>();
  for (const a of applied) byOwner.set(a.to, [...(byOwner.get(a.to) ?? []), a]);
  const actor = await getUser(record.actorId);
  const at = new Date(record.createdAt);
  for (const [ownerId, given] of byOwner) {
    const owner = owners.get(ownerId) ?? (await getUser(ownerId));
    const sourceCampaigns = record.campaignId ? [record.campaignId] : given.map((a) => a.lead.source?.campaignId).filter((c): c is string => Boolean(c));
    const digest = assignmentDigest({
      ownerName: owner?.name ?? ownerId,
      actorName: actor?.name ?? record.actorId,
      count: given.length,
      leads: given.map((a) => a.lead),
      campaignNames: await campaignNames(sourceCampaigns),
      at: record.createdAt,
      ...(record.fileName ? { via: { fileName: record.fileName } } : {}),
    });
    const notification = newNotification({
      userId: ownerId,
      kind: 'leads_assigned',
      sourceId: record.importId ?? record.assignmentId,
      title: digest.title,
      body: digest.body,
      leadIds: given.map((a) => a.leadId),
      link: `/leads?owner=me`,
      mail: digest.mail,
      now: at,
    });
    await faultPoint(FAULT_POINTS.assignmentPublish);
    try {
      await transact(notificationWrites(notification));
    } catch (error) {
      if (!(error instanceof TransactionCancelledError) || !error.failed(NOTIFICATION_WRITE)) throw error;
    }
  }
}
