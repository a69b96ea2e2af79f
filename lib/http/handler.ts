import { getUser } from '../users/repository';
import { httpChain } from './chain';
import { identifyCaller } from './middleware';
import type { Implementation } from './route';

/**
 * Builds the Lambda handler for one route group: the chain of lib/http/chain.ts, with the caller looked up in the
 * users repository.
 */
export function httpHandler(implementations: readonly Implementation[]) {
  return httpChain(implementations, identifyCaller(getUser));
}
