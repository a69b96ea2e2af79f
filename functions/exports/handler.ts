import { config } from '../../lib/config';
import { runExport } from '../../lib/exports/run-export';

/** The export worker, invoked asynchronously by POST /exports with `{ exportId }`. */
export async function handler(event: { exportId: string }): Promise<void> {
  await runExport(event.exportId, config.intakeBucket());
}
