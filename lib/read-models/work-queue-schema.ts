import * as z from 'zod';
import { LeadListItemSchema } from '../leads/schema';
import { cursorParam, limitParam, paginated } from '../schema/params';
import { TaskSchema } from '../tasks/schema';
import { QUEUE_REASONS } from './work-queue';

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
