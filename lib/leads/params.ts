import * as z from 'zod';
import { idParam } from '../schema/params';

/**
 * The path parameter of every route under /leads/{leadId}. Apart from lib/leads/schema.ts so that the routes of
 * other groups (actions, tasks, conversion) can name it without bundling the lead schemas and the phone numbering
 * plan they parse look-ups with.
 */
export const LeadIdParams = z.object({ leadId: idParam });
