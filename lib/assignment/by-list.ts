import type { Lead } from '../leads/model';
import type { Item } from '../table/client';
import { keys } from '../table/keys';
import { queryPages } from '../table/queries';
import type { Applied } from './apply';
import type { AssignmentRecord } from './journal';
import { publishNotifications } from './publish';

/**
 * Assignment by update list: when the import has finished, each owner it gave leads to is notified once, with every
 * lead of the whole file (the chunks recorded them in IMPORT#{id}/ASSIGNED#… items). The notifications' ids derive
 * from the import and the owner, so finishing twice notifies nobody twice.
 */
export async function notifyListAssignments(input: { importId: string; uploadedBy: string; fileName: string; createdAt: string }): Promise<number> {
  const applied: Applied[] = [];
  for await (const page of queryPages<Item>({ partition: keys.importPartition(input.importId), sortPrefix: keys.importAssignmentsPrefix })) {
    for (const part of page) {
      for (const lead of part.leads as { leadId: string; name: string; company?: string; campaignId?: string }[]) {
        const summary = { leadId: lead.leadId, name: lead.name, company: lead.company, source: lead.campaignId ? { campaignId: lead.campaignId } : undefined } as Lead;
        applied.push({ leadId: lead.leadId, to: part.ownerId as string, lead: summary });
      }
    }
  }
  if (applied.length === 0) return 0;
  const record: AssignmentRecord = {
    assignmentId: input.importId,
    importId: input.importId,
    fileName: input.fileName,
    actorId: input.uploadedBy,
    status: 'applied',
    planParts: 0,
    skipped: [],
    createdAt: input.createdAt,
  };
  await publishNotifications(record, applied, new Map());
  return applied.length;
}
