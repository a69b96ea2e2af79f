import { httpHandler } from '../../lib/http/handler';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes/stats';
import { choices } from '../../lib/settings/choices';
import { activityStats } from '../../lib/stats/activity';
import { pipelineStats } from '../../lib/stats/pipeline';

/** The manager's view: GET /stats/activity, GET /stats/pipeline. */

// The recount judges effective calls by the choice lists: validated at cold start.
choices();

export const handler = httpHandler([
  implement(routes.getActivityStats, async ({ query, caller }) => reply(200, await activityStats(caller, query))),
  implement(routes.getPipelineStats, async ({ query }) => reply(200, await pipelineStats(query))),
]);
