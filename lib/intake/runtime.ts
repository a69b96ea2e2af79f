import type { MatchMode } from '../leads/match-key';
import type { ReadLimits } from './reader';

/** What an import needs of the function it runs in: the bucket, the clock, the time left, a way to go on later. */
export interface IntakeRuntime {
  bucket: string;
  now(): Date;
  /** Milliseconds this invocation may still spend. */
  remainingMs(): number;
  /** Starts a fresh invocation that continues the import (async Lambda invoke in the cloud). */
  continueLater(importId: string): Promise<void>;
  limits?: Partial<ReadLimits>;
  chunkSize?: number;
  matchMode?: MatchMode;
}

/** Stop taking new chunks when less than this is left: a chunk and its commit must fit in what remains. */
export const SAFETY_MARGIN_MS = 60_000;
