import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from './config';

/**
 * The product's operational metrics, as CloudWatch embedded metric format lines (Powertools for AWS Lambda's
 * Metrics): recorded where the thing happens, written once at the end of the invocation by the handler chains
 * (lib/observability.ts), filed under METRICS_NAMESPACE with the deployment's service name as dimension
 * (infra/alarms.ts alarms on them). Off where POWERTOOLS_METRICS_DISABLED is true: the tests and the local stack.
 */

export const METRICS_NAMESPACE = 'LeadBackend';

/** The metric names, one home for the code that records them and the alarms that watch them. */
export const METRIC = {
  importsFinished: 'ImportsFinished',
  importsFailed: 'ImportsFailed',
  importRowsPerSecond: 'ImportRowsPerSecond',
  mailsSent: 'MailsSent',
  mailsFailed: 'MailsFailed',
  assignmentOperations: 'AssignmentOperations',
  leadsAssigned: 'LeadsAssigned',
} as const;

let instance: Metrics | undefined;

/**
 * Made at first use rather than at import, so that the local stack, which sets its environment after the product's
 * modules are loaded, still turns it off.
 */
export function metrics(): Metrics {
  instance ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName() });
  return instance;
}

const count = (name: string, value = 1) => metrics().addMetric(name, MetricUnit.Count, value);

export const recordMetric = {
  /** An import ended: `failed`, or finished (with or without rejected rows). */
  importEnded: (failed: boolean) => count(failed ? METRIC.importsFailed : METRIC.importsFinished),
  /** Rows an invocation of the intake read, per second of its work (an import may take several). */
  importRate: (rows: number, elapsedMs: number) => {
    if (rows > 0 && elapsedMs > 0) metrics().addMetric(METRIC.importRowsPerSecond, MetricUnit.CountPerSecond, (rows * 1000) / elapsedMs);
  },
  /** A notification e-mail sent, or failed for good (not a failure that will be retried). */
  mailSent: () => count(METRIC.mailsSent),
  mailFailed: () => count(METRIC.mailsFailed),
  /** An assignment operation applied (new or resumed), and how many leads it moved. */
  assignmentApplied: (leads: number) => {
    count(METRIC.assignmentOperations);
    count(METRIC.leadsAssigned, leads);
  },
};
