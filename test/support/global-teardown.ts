import type { RunningService } from '../../lib/local/services';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __dynamodb?: RunningService }).__dynamodb?.stop();
}
