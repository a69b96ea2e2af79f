import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../async';
import { readCounters } from '../campaigns/metrics';
import { newId } from '../ids';
import { log } from '../log';
import { workImport } from './chunk-pipeline';
import { finishImport } from './import-record';
import { acquireCampaignLock, acquireLease, LeaseLostError, releaseCampaignLock, releaseLease } from './lease';
import { ListFileError } from './reader';
import { SAFETY_MARGIN_MS, type IntakeRuntime } from './runtime';
import { recordUploadedObject, type UploadedObject } from './uploads';

/**
 * One list import from start to finish, or to the point where this invocation's time runs out: then it commits,
 * lets go of the import and asks for a fresh invocation, which resumes after the last committed row.
 *
 * Here: taking the import's lease (a second delivery of the event finds it held and stops), and for invitation
 * and participant lists the campaign's intake lock (one list of a campaign at a time writes its histories). The
 * rows themselves go through the chunk pipeline (./chunk-pipeline.ts).
 */

export type { IntakeRuntime } from './runtime';

/** Records the import for an uploaded object (once, however often the event arrives) and runs it. */
export async function importUploadedObject(runtime: IntakeRuntime, object: UploadedObject): Promise<string> {
  const now = runtime.now();
  const { importId, refused } = await recordUploadedObject(runtime.bucket, object, now);
  if (!refused) await runImport(runtime, importId);
  return importId;
}

/** Works the import from its last checkpoint; returns when it is finished or handed to a fresh invocation. */
export async function runImport(runtime: IntakeRuntime, importId: string): Promise<void> {
  const owner = newId();
  const leaseFor = () => runtime.now().getTime() + Math.min(runtime.remainingMs(), 15 * 60_000) + 60_000;
  const record = await acquireLease(importId, owner, leaseFor(), runtime.now());
  if (!record) {
    log.info('import not taken: finished, or another invocation holds it', { importId });
    return;
  }
  // Invitation and participant lists of one campaign take turns: the one holding the campaign's intake lock may
  // write its campaign histories with plain batch writes (see register-list.ts).
  const exclusive = record.kind === 'invitation' || record.kind === 'participant';
  let freshCampaign = false;
  if (exclusive && record.campaignId) {
    let { heldBy, first } = await acquireCampaignLock(record.campaignId, importId, owner, leaseFor(), runtime.now());
    if (heldBy) log.info('import waiting for its campaign intake lock', { importId, heldBy });
    while (heldBy && runtime.remainingMs() > SAFETY_MARGIN_MS) {
      await sleep(1000);
      ({ heldBy, first } = await acquireCampaignLock(record.campaignId, importId, owner, leaseFor(), runtime.now()));
    }
    freshCampaign = first === true && (await hasNoHistories(record.campaignId));
    if (heldBy) {
      log.info('import waits for another import of its campaign', { importId, waitingFor: heldBy });
      await releaseLease(importId, owner);
      await sleep(1000);
      await runtime.continueLater(importId);
      return;
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'intake-'));
  try {
    const outcome = await workImport({ runtime, record, owner, path: join(dir, 'list'), leaseFor, exclusive, freshCampaign });
    if (outcome === 'paused') {
      if (exclusive && record.campaignId) await releaseCampaignLock(record.campaignId, importId);
      await releaseLease(importId, owner);
      await runtime.continueLater(importId);
      log.info('import paused, continuing in a fresh invocation', { importId });
    }
  } catch (error) {
    if (error instanceof ListFileError) {
      await finishImport({ importId, owner, status: 'failed', reason: error.message, now: runtime.now() });
      log.warn('import failed: the file cannot be read', { importId, reason: error.message });
      return;
    }
    if (error instanceof LeaseLostError) {
      log.warn('import taken over by another invocation', { importId });
      return;
    }
    // Anything else is worth a retry (Lambda retries the async event); let the retry take the import at once.
    await releaseLease(importId, owner).catch(() => undefined);
    throw error;
  } finally {
    if (exclusive && record.campaignId) await releaseCampaignLock(record.campaignId, importId).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The campaign's counters show no history. Being the lock's first holder already says so for every campaign whose
 * lock records its first holder; the counters also cover campaigns whose lock item predates that record.
 */
async function hasNoHistories(campaignId: string): Promise<boolean> {
  const counters = await readCounters(campaignId);
  return counters.invited + counters.responded === 0;
}
