/**
 * Fault points: named instants at which a test can make the runtime fail, as a crash or an outage there would, to
 * prove that what comes after (a retry, a resume, a sweep) ends in the right state. The tests name the point, not
 * the module that happens to hold it, so code can move without breaking them.
 *
 * Nothing registers a fault outside the tests: a point costs one Map lookup.
 */

export const FAULT_POINTS = {
  /** Before a chunk's checkpoint, counts and campaign counters commit (its rows are written). */
  intakeCommit: 'intake.commit',
  /** After a chunk's new people are claimed, before their leads and histories are written. */
  intakeNewPeople: 'intake.new-people',
  /** After an assignment's leads are written, before an owner's notification is. */
  assignmentPublish: 'assignment.publish',
  /** After each bounded step of a lead's erasure (a transaction of actions, events or notifications scrubbed). */
  erasureStep: 'erasure.step',
  /** After an export's leads are spooled to local disk, before its file is written. */
  exportWrite: 'export.write',
} as const;

export type FaultPoint = (typeof FAULT_POINTS)[keyof typeof FAULT_POINTS];

type Hook = () => void | Promise<void>;

const hooks = new Map<FaultPoint, Hook>();

/** Runs the hook registered for this point, if any; a hook fails the step by throwing. */
export async function faultPoint(point: FaultPoint): Promise<void> {
  const hook = hooks.get(point);
  if (hook) await hook();
}

/** For tests: calls `hook` every time the point is reached, until the returned function is called. */
export function injectFault(point: FaultPoint, hook: Hook): () => void {
  hooks.set(point, hook);
  return () => {
    if (hooks.get(point) === hook) hooks.delete(point);
  };
}
