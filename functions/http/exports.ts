import { newId } from '../../lib/ids';
import { config } from '../../lib/config';
import { startExportWorker } from '../../lib/exports/invoke';
import { createExportRecord, requireOwnExport, type ExportRecord } from '../../lib/exports/repository';
import { httpHandler } from '../../lib/http/handler';
import { idempotent } from '../../lib/http/idempotency';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes';
import { presignGet, PRESIGNED_URL_SECONDS } from '../../lib/storage/s3';

/** List export: POST /exports starts one, GET /exports/{exportId} tells its status and gives the link. */

/** What a client sees of the record: not the filter, the requester's role or the object key. */
function view(record: ExportRecord) {
  const { filter, caller, key, PK, SK, entity, expiresAt, ...visible } = record as ExportRecord & Record<string, unknown>;
  return visible;
}

export const handler = httpHandler([
  implement(routes.createExport, async ({ body, caller, headers }) =>
    idempotent({ callerId: caller.userId, scope: 'POST /exports', headers, body }, async () => {
      // A rep exports only its own leads (api.md); an agent sees only its own anyway.
      const filter = caller.role === 'rep' ? { ...body.filter, owner: 'me' } : body.filter;
      const record: ExportRecord = {
        exportId: newId(),
        format: body.format,
        status: 'queued',
        requestedBy: caller.userId,
        rows: 0,
        createdAt: new Date().toISOString(),
        filter,
        caller,
      };
      await createExportRecord(record);
      await startExportWorker(record.exportId);
      return reply(202, view(record), { Location: `/exports/${record.exportId}` });
    }),
  ),

  implement(routes.getExport, async ({ params, caller }) => {
    const record = await requireOwnExport(caller, params.exportId);
    if (record.status !== 'succeeded' || !record.key) return reply(200, view(record));
    const url = await presignGet(config.intakeBucket(), record.key, `leads-${record.exportId}.${record.format}`);
    return reply(200, { ...view(record), url, expiresAt: new Date(Date.now() + PRESIGNED_URL_SECONDS * 1000).toISOString() });
  }),
]);
