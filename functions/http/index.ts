import type { Implementation, RouteGroup } from '../../lib/http/route';
import { handler as actions } from './actions';
import { handler as campaigns } from './campaigns';
import { handler as deals } from './deals';
import { handler as docs } from './docs';
import { handler as exports } from './exports';
import { handler as imports } from './imports';
import { handler as leads } from './leads';
import { handler as me } from './me';
import { handler as stats } from './stats';
import { handler as system } from './system';
import { handler as users } from './users';

/**
 * Every route group's handler by name, for the local gateway and the tests. The cloud never loads this file: each
 * group is bundled on its own from functions/http/{group}.ts.
 */
export const httpHandlers: Record<RouteGroup, ((event: never, context: never) => Promise<unknown>) & { implementations: readonly Implementation[] }> = {
  system,
  docs,
  users,
  campaigns,
  imports,
  leads,
  exports,
  me,
  actions,
  deals,
  stats,
} as never;
