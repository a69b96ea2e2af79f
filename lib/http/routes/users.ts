import { PERMISSIONS } from '../../users/roles';
import { UserCreateSchema, UserIdParams, UserListQuery, UserPage, UserPatchSchema, UserSchema } from '../../users/schema';
import { defineRoute, type RouteDefinition } from '../route';

/** Users (admin only). Served by functions/http/users.ts; lib/http/routes.ts assembles every group's table. */

export const routes = {
  // --- users ----------------------------------------------------------------------------------------------------
  createUser: defineRoute({
    operationId: 'createUser',
    method: 'POST',
    path: '/users',
    group: 'users',
    roles: PERMISSIONS.manageUsers,
    summary: 'Create a user',
    body: UserCreateSchema,
    response: UserSchema,
    successStatus: 201,
    problems: { 409: 'A user with this id, or another user with this e-mail address, exists' },
  }),
  listUsers: defineRoute({
    operationId: 'listUsers',
    method: 'GET',
    path: '/users',
    group: 'users',
    roles: PERMISSIONS.manageUsers,
    summary: 'List users',
    query: UserListQuery,
    response: UserPage,
  }),
  getUser: defineRoute({
    operationId: 'getUser',
    method: 'GET',
    path: '/users/{userId}',
    group: 'users',
    roles: PERMISSIONS.manageUsers,
    summary: 'Read a user',
    params: UserIdParams,
    response: UserSchema,
  }),
  updateUser: defineRoute({
    operationId: 'updateUser',
    method: 'PATCH',
    versioned: true,
    path: '/users/{userId}',
    group: 'users',
    roles: PERMISSIONS.manageUsers,
    summary: 'Update a user',
    params: UserIdParams,
    body: UserPatchSchema,
    response: UserSchema,
  }),
} satisfies Record<string, RouteDefinition>;
