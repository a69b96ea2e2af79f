import { invokeAsync } from '../storage/functions';

/**
 * Starts the export worker for an export: an asynchronous invocation of the worker function (the API functions never
 * bundle the workbook writer); on the local stack, the worker in the same process.
 */
export async function startExportWorker(exportId: string): Promise<void> {
  await invokeAsync('exportWorker', { exportId });
}
