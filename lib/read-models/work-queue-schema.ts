import * as z from 'zod';
import { LeadListItemSchema } from '../leads/schema';
import { cursorParam, limitParam, paginated } from '../schema/params';
import { TaskSchema } from '../tasks/schema';

/** Why an item is in the queue (lib/read-models/work-queue.ts builds it). */
export const QUEUE_REASONS = ['overdue', 'due_today', 'new_untouched', 'responded_recently'] as const;
export type QueueReason = (typeof QUEUE_REASONS)[number];

/** GET /me/queue: pages of the caller's work for today (lib/read-models/work-queue.ts). */
export const QueueQuery = z.strictObject({ limit: limitParam, cursor: cursorParam });
export type QueueQuery = z.infer<typeof QueueQuery>;

/** A queue item (api.md): why it is there, the lead as a list item, the task when the reason is a task. */
export const QueueItemSchema = z.object({
  reason: z.enum(QUEUE_REASONS),
  lead: LeadListItemSchema,
  task: TaskSchema.optional(),
  /** The campaign the lead responded to, for responded_recently. */
  campaignId: z.string().optional(),
});

export const QueuePageSchema = paginated(QueueItemSchema);
