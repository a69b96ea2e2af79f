import type { RouteDefinition, RouteGroup } from './route';
import { routes as actionsRoutes } from './routes/actions';
import { routes as campaignsRoutes } from './routes/campaigns';
import { routes as dealsRoutes } from './routes/deals';
import { routes as exportsRoutes } from './routes/exports';
import { routes as importsRoutes } from './routes/imports';
import { routes as leadsRoutes } from './routes/leads';
import { routes as meRoutes } from './routes/me';
import { routes as statsRoutes } from './routes/stats';
import { routes as systemRoutes } from './routes/system';
import { routes as usersRoutes } from './routes/users';

/**
 * The route table: the single source for the CDK HTTP API (infra/api.ts), the local gateway
 * (lib/local/gateway.ts), request validation and /openapi.json.
 *
 * Each group's routes are declared in lib/http/routes/{group}.ts, and its function (functions/http/{group}.ts)
 * imports only that file, so a function's bundle holds the schemas and the code of its own routes and no other's
 * (test/infra/bundles.test.ts keeps it so). This file assembles the whole table, for everything that needs every
 * route.
 */

export const routes = {
  ...systemRoutes,
  ...usersRoutes,
  ...campaignsRoutes,
  ...importsRoutes,
  ...leadsRoutes,
  ...meRoutes,
  ...exportsRoutes,
  ...actionsRoutes,
  ...dealsRoutes,
  ...statsRoutes,
} satisfies Record<string, RouteDefinition>;

export const ROUTES: readonly RouteDefinition[] = Object.values(routes);

export const ROUTE_GROUPS: readonly RouteGroup[] = [...new Set(ROUTES.map((r) => r.group))];

export const routesOf = (group: RouteGroup) => ROUTES.filter((r) => r.group === group);
