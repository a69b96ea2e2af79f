/**
 * Waiting and running things side by side: the pause before a retry, and work over many items a few at a time.
 * One home for both, so every retry loop backs off the same way.
 */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long to wait before retry number `attempt`: `baseMs` doubling each time up to `capMs`, then jittered between half
 * and one and a half times that, so that writers contending for one item do not retry in step.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** attempt) * (0.5 + Math.random());
}

/** Runs `work` over `items`, at most `concurrency` at a time; the first failure rejects (others finish first). */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length && errors.length === 0) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
