import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { log } from '../../lib/log';
import { observedHandler } from '../../lib/observability';
import { ensureSignIn } from '../../lib/storage/sign-in';
import { ensureFirstAdmin } from '../../lib/users/first-admin';

/**
 * The first-admin custom resource (infra/first-admin.ts), behind the CDK provider framework, which answers
 * CloudFormation for us. Create and Update make sure the admin exists (lib/users/first-admin.ts); the physical id is
 * the admin's user id, so a new address is a new resource and CloudFormation deletes the old one.
 *
 * Delete leaves the sign-in and the user record alone: the user pool and the table outlive the stack (both are
 * retained), and a deploy that drops or changes `adminEmail` must not lock out the person who may be the only admin.
 */

export interface FirstAdminProperties {
  email: string;
  name: string;
}

export interface ProviderResponse {
  PhysicalResourceId: string;
  Data?: Record<string, string>;
}

export const handler = observedHandler(async function firstAdmin(event: CloudFormationCustomResourceEvent): Promise<ProviderResponse> {
  if (event.RequestType === 'Delete') {
    log.info('first admin left in place on delete', { physicalResourceId: event.PhysicalResourceId });
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const properties = event.ResourceProperties as unknown as FirstAdminProperties;
  const admin = await ensureFirstAdmin({ email: properties.email, name: properties.name }, ensureSignIn);
  log.info('first admin ensured', { userId: admin.user.userId, signInCreated: admin.signInCreated, recordCreated: admin.recordCreated });
  return { PhysicalResourceId: admin.user.userId, Data: { UserId: admin.user.userId } };
});
