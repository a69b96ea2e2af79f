import { newId } from '../../lib/ids';
import { getCampaign } from '../../lib/campaigns/repository';
import { config } from '../../lib/config';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { httpHandler } from '../../lib/http/handler';
import { idempotent } from '../../lib/http/idempotency';
import { pageResponse, scopeOf, startKeyFrom } from '../../lib/http/pagination';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes';
import { createImportRecord, getImportRecord, listImports, toImport } from '../../lib/intake/imports-repository';
import { emptyCounts } from '../../lib/intake/schema';
import { presignGet, presignPut, PRESIGNED_URL_SECONDS } from '../../lib/storage/s3';

/** Imports: POST /imports (a presigned upload), GET /imports, GET /imports/{id}, GET /imports/{id}/rejections. */

const expiry = () => new Date(Date.now() + PRESIGNED_URL_SECONDS * 1000).toISOString();

export const handler = httpHandler([
  implement(routes.createImport, async ({ body, caller, headers }) =>
    idempotent({ callerId: caller.userId, scope: 'POST /imports', headers, body }, async () => {
      if (!(await getCampaign(body.campaignId))) {
        throw new ValidationError(`no campaign ${body.campaignId}`, [{ path: 'body.campaignId', message: 'no such campaign' }]);
      }
      const importId = newId();
      const key = `imports/${body.campaignId}/${body.kind}/${body.fileName}`;
      await createImportRecord({
        importId,
        campaignId: body.campaignId,
        kind: body.kind,
        status: 'queued',
        key,
        fileName: body.fileName,
        uploadedBy: caller.userId,
        counts: emptyCounts(),
        createdAt: new Date().toISOString(),
        hasRejections: false,
      });
      const metadata = { 'import-id': importId };
      const uploadUrl = await presignPut(config.intakeBucket(), key, metadata);
      return reply(201, { importId, uploadUrl, key, uploadHeaders: { 'x-amz-meta-import-id': importId }, expiresAt: expiry() }, { Location: `/imports/${importId}` });
    }),
  ),

  implement(routes.listImports, async ({ query }) => {
    const scope = scopeOf('imports', query);
    const page = await listImports(query, await startKeyFrom(query.cursor, scope));
    return reply(200, await pageResponse(page.items, page.lastKey, scope));
  }),

  implement(routes.getImport, async ({ params }) => {
    const record = await getImportRecord(params.importId);
    if (!record) throw new NotFoundError(`no import ${params.importId}`);
    return reply(200, toImport(record));
  }),

  implement(routes.getImportRejections, async ({ params }) => {
    const record = await getImportRecord(params.importId);
    if (!record) throw new NotFoundError(`no import ${params.importId}`);
    if (!record.rejectionsKey) throw new NotFoundError(`import ${params.importId} has no rejected or merged rows`);
    const url = await presignGet(config.intakeBucket(), record.rejectionsKey, `rejections-${record.fileName.replace(/\.[^.]+$/, '')}.xlsx`);
    return reply(200, { url, expiresAt: expiry(), rejected: record.counts.rejected, merged: record.counts.merged });
  }),
]);
