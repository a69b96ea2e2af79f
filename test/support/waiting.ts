/**
 * Waiting in tests, on a condition and never on a clock: `eventually` retries a check until it passes (or its
 * deadline passes, and then fails with the check's own error). For "nothing more will happen", wait on the local
 * stack's own idleness instead (`stack().intakeIdle()`, `stack().outboxIdle()`).
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
