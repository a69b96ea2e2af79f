import { config } from '../../lib/config';
import { runExport } from '../../lib/exports/run-export';
import { observedHandler } from '../../lib/observability';

/** The export worker, invoked asynchronously by POST /exports with `{ exportId }`. */
export const handler = observedHandler(async function exportWorker(event: { exportId: string }): Promise<void> {
  await runExport(event.exportId, config.intakeBucket());
});
