import { injectFault, type FaultPoint } from '../../lib/faults';

/**
 * Faults for the tests, at the runtime's fault points (lib/faults.ts): `failing(point, n => …)` counts every time
 * the point is reached and throws where the plan says, until `restore()`.
 */
export function failing(point: FaultPoint, plan: (reached: number) => string | undefined) {
  let reached = 0;
  const restore = injectFault(point, () => {
    const failure = plan(++reached);
    if (failure) throw new Error(`injected: ${failure}`);
  });
  return {
    /** How many times the point was reached since the fault was set. */
    get reached() {
      return reached;
    },
    restore,
  };
}
