import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Alarms } from './alarms';
import { Api, type ExternalIssuer } from './api';
import { Exports } from './exports';
import { FirstAdmin } from './first-admin';
import { Intake } from './intake';
import { Jobs } from './jobs';
import { Notifications } from './notifications';
import { Storage } from './storage';

export interface LeadBackendStackProps extends StackProps {
  senderEmail: string;
  /** Create the sender's SES identity; false when it exists already (one per address in an account and region). */
  createSenderIdentity: boolean;
  /** The first admin: a sign-in with an e-mailed temporary password and its user record, made on deploy. */
  firstAdmin?: { email: string; name: string };
  /** Subscribed to the alarms' topic. */
  alarmEmail?: string;
  deletionProtection: boolean;
  /** Verify tokens from this issuer instead of creating a Cognito user pool. */
  externalIssuer?: ExternalIssuer;
  /** The front-end's origin, e.g. `https://leads.example.com`. */
  appBaseUrl?: string;
  /** The dedupe key for list intake. */
  matchKey: 'email' | 'email+name';
  /** The forms' choice lists as JSON, replacing the defaults (lib/settings/choices.ts). */
  choices?: string;
  /** Cognito sign-in needs a TOTP second factor. */
  mfaRequired: boolean;
  /** The largest list a user may upload; 200 MiB when absent (lib/config.ts). */
  maxUploadBytes?: number;
  /** Only the first N of the table's indexes (an upgrade one index per deploy); all when absent. */
  tableIndexes?: number;
  /** The morning digest lists leads untouched for more than this many business days; 2 when absent. */
  digestUntouchedBusinessDays?: number;
}

/** The whole backend in one environment-agnostic stack: storage, list intake, the HTTP API, e-mail, scheduled jobs. */
export class LeadBackendStack extends Stack {
  readonly storage: Storage;
  readonly intake: Intake;
  readonly api: Api;
  readonly notifications: Notifications;
  readonly exports: Exports;
  readonly jobs: Jobs;
  readonly firstAdmin?: FirstAdmin;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: LeadBackendStackProps) {
    super(scope, id, props);

    this.storage = new Storage(this, 'Storage', {
      deletionProtection: props.deletionProtection,
      tableIndexes: props.tableIndexes,
      // Presigned URLs carry their own authorisation; without a known front-end any origin may use one.
      allowedOrigins: [props.appBaseUrl ?? '*'],
    });
    this.intake = new Intake(this, 'Intake', { storage: this.storage, matchKey: props.matchKey, maxUploadBytes: props.maxUploadBytes });
    this.api = new Api(this, 'Api', {
      storage: this.storage,
      externalIssuer: props.externalIssuer,
      appBaseUrl: props.appBaseUrl,
      deletionProtection: props.deletionProtection,
      choices: props.choices,
      mfaRequired: props.mfaRequired,
      maxUploadBytes: props.maxUploadBytes,
    });
    this.exports = new Exports(this, 'Exports', { storage: this.storage, requesters: this.api.exportRequesters });
    this.notifications = new Notifications(this, 'Notifications', {
      senderEmail: props.senderEmail,
      createSenderIdentity: props.createSenderIdentity,
      storage: this.storage,
      appBaseUrl: props.appBaseUrl,
    });
    this.jobs = new Jobs(this, 'Jobs', { storage: this.storage, appBaseUrl: props.appBaseUrl, digestUntouchedBusinessDays: props.digestUntouchedBusinessDays });

    if (props.firstAdmin) {
      if (!this.api.users) throw new Error('the first admin needs the stack’s own user pool (no jwtIssuer)');
      this.firstAdmin = new FirstAdmin(this, 'FirstAdmin', { storage: this.storage, userPool: this.api.users.userPool, ...props.firstAdmin });
    }
    // Last: it watches every function of the stack.
    this.alarms = new Alarms(this, 'Alarms', {
      alarmEmail: props.alarmEmail,
      api: this.api,
      intake: this.intake,
      notifications: this.notifications,
      jobs: this.jobs,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url });
    new CfnOutput(this, 'IntakeBucketName', { value: this.storage.intakeBucket.bucketName });
    new CfnOutput(this, 'TableName', { value: this.storage.table.tableName });
    if (this.api.users) {
      new CfnOutput(this, 'UserPoolId', { value: this.api.users.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: this.api.users.client.userPoolClientId });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
