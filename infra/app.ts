import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadChoices } from '../lib/settings/choices';
import { INDEXES_IN_DEPLOYMENT_ORDER } from './storage';
import type { ExternalIssuer } from './api';
import { LeadBackendStack } from './stack';

/**
 * The CDK app: one stack, configured from context (cdk.json, or `-c key=value`):
 * - `senderEmail` (required): the From address of e-mails;
 * - `deletionProtection` (default true): protect the table and the user pool from deletion;
 * - `jwtIssuer` + `jwtAudience` (optional, together): verify tokens from that issuer instead of creating a user pool;
 * - `appBaseUrl` (optional): the front-end's origin, for links in e-mails and CORS;
 * - `matchKey` (default `email`): the dedupe key of list intake, `email` or `email+name` (seed 000 A.1.1);
 * - `choices` (optional): the choice lists of the forms as JSON (lib/settings/choices.ts), checked at synth;
 * - `maxUploadMb` (default 200): the largest list a user may upload, at most the intake function's 4 GiB disk;
 * - `mfa` (default `required`): `optional` lets Cognito users sign in without a second factor;
 * - `tableIndexes` (default the release's): create only the first N of the indexes the table's deployments have had,
 *   to upgrade an existing table one index per deploy (CloudFormation adds or drops one global secondary index per
 *   update).
 * - `digestUntouchedBusinessDays` (default 2): the morning digest lists leads untouched for more than this many
 *   business days.
 * - `stage` (optional): `-c stage=dev` deploys the stack `LeadBackend-dev`, beside any other stage in the account;
 *   without it the stack keeps its first name, `LeadBackendStack`, so existing deployments update in place.
 * - `adminEmail` (+ optional `adminName`): the first admin, created on deploy with an e-mailed temporary password.
 * - `alarmEmail` (optional): an address subscribed to the alarms' topic.
 * - `createSenderIdentity` (default true): `false` when the sender's SES identity exists already (another stage made
 *   it, or it was verified by hand), since one account and region hold one identity per address.
 * cdk-nag's AWS Solutions checks run on every synth; an unacknowledged finding fails it.
 */
export function buildApp(context: Record<string, unknown> = {}): { app: App; stack: LeadBackendStack } {
  const app = new App({ context });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const stage = stageName(app);
  const stack = new LeadBackendStack(app, stage ? `LeadBackend-${stage}` : 'LeadBackendStack', {
    description: stage ? `Inside-sales lead management backend (${stage})` : 'Inside-sales lead management backend',
    senderEmail: requiredString(app, 'senderEmail'),
    createSenderIdentity: booleanContext(app, 'createSenderIdentity', true),
    firstAdmin: firstAdmin(app),
    alarmEmail: optionalString(app, 'alarmEmail'),
    deletionProtection: booleanContext(app, 'deletionProtection', true),
    externalIssuer: externalIssuer(app),
    appBaseUrl: optionalString(app, 'appBaseUrl'),
    matchKey: matchKey(app),
    choices: choices(app),
    mfaRequired: mfaRequired(app),
    maxUploadBytes: maxUploadBytes(app),
    tableIndexes: tableIndexes(app),
    digestUntouchedBusinessDays: digestUntouchedBusinessDays(app),
  });
  return { app, stack };
}

/**
 * `-c stage=dev`: a short lower-case name. Every physical name the stack gives is derived from its stack name (the
 * intake function's), and CloudFormation generates the others, so two stages never collide.
 */
function stageName(app: App): string | undefined {
  const value = optionalString(app, 'stage');
  if (value === undefined) return undefined;
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(value)) throw new Error(`context stage must be 1 to 20 lower-case letters, digits or dashes, starting with a letter, not "${value}"`);
  return value;
}

/** `-c adminEmail=…` and, optionally, `-c adminName=…` (the name on the user record; "Admin" when absent). */
function firstAdmin(app: App): { email: string; name: string } | undefined {
  const email = optionalString(app, 'adminEmail');
  const name = optionalString(app, 'adminName');
  if (email === undefined) {
    if (name !== undefined) throw new Error('context adminName goes with adminEmail');
    return undefined;
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new Error(`context adminEmail must be an e-mail address, not "${email}"`);
  if (optionalString(app, 'jwtIssuer') !== undefined) {
    throw new Error('context adminEmail creates a sign-in in the stack’s own user pool; with jwtIssuer, register the first admin with POST /users from the local stack or by hand');
  }
  return { email, name: name ?? 'Admin' };
}

function optionalString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context ${key} must be a string`);
  return value;
}

function requiredString(app: App, key: string): string {
  const value = optionalString(app, key);
  if (value === undefined) throw new Error(`context ${key} is required (cdk.json, or -c ${key}=...)`);
  return value;
}

function matchKey(app: App): 'email' | 'email+name' {
  const value = optionalString(app, 'matchKey') ?? 'email';
  if (value !== 'email' && value !== 'email+name') throw new Error(`context matchKey must be "email" or "email+name", not "${value}"`);
  return value;
}

/** The CHOICES setting of the API functions: refused at synth when the functions would refuse it at start. */
function choices(app: App): string | undefined {
  const value: unknown = app.node.tryGetContext('choices');
  if (value === undefined || value === '') return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  loadChoices(text);
  return text;
}

/** `-c mfa=optional` lets Cognito users sign in without a second factor; TOTP is required otherwise. */
function mfaRequired(app: App): boolean {
  const value = optionalString(app, 'mfa') ?? 'required';
  if (value !== 'required' && value !== 'optional') throw new Error(`context mfa must be "required" or "optional", not "${value}"`);
  return value === 'required';
}

/**
 * `-c maxUploadMb=500`: the upload limit POST /imports signs and the intake checks before it downloads. The intake
 * keeps the file on its temporary disk (4,096 MiB) while it reads it, so a limit past that is refused at synth.
 */
export const INTAKE_DISK_MIB = 4096;
function maxUploadBytes(app: App): number | undefined {
  const value: unknown = app.node.tryGetContext('maxUploadMb');
  if (value === undefined || value === '') return undefined;
  const mb = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(mb) || mb < 1 || mb > INTAKE_DISK_MIB - 96) {
    throw new Error(`context maxUploadMb must be a whole number of MiB from 1 to ${INTAKE_DISK_MIB - 96} (the intake's disk, less room for its work), not ${JSON.stringify(value)}`);
  }
  return mb * 1024 * 1024;
}

/**
 * `-c tableIndexes=8`: the table gets only the first 8 of the indexes its deployments have had, in the order they were
 * added (infra/storage.ts INDEXES_IN_DEPLOYMENT_ORDER: GSI1 to GSI10 with the first GSI5, then GSI5v2, which replaces
 * it). CloudFormation adds or drops one global secondary index per stack update, so a deployment made before indexes
 * were added deploys once per new index, counting up, and last without it (which drops the replaced GSI5). Fewer than
 * the release before would delete an index; that is refused here only below the first release's seven.
 */
const FIRST_RELEASE_INDEXES = 7;
function tableIndexes(app: App): number | undefined {
  const value: unknown = app.node.tryGetContext('tableIndexes');
  if (value === undefined || value === '') return undefined;
  const count = typeof value === 'number' ? value : Number(value);
  const all = INDEXES_IN_DEPLOYMENT_ORDER.length;
  if (!Number.isInteger(count) || count < FIRST_RELEASE_INDEXES || count > all) {
    throw new Error(`context tableIndexes must be a whole number from ${FIRST_RELEASE_INDEXES} to ${all}, not ${JSON.stringify(value)}`);
  }
  return count;
}

/** `-c digestUntouchedBusinessDays=3`: checked here as the job checks it (lib/config.ts), so a bad one fails at synth. */
function digestUntouchedBusinessDays(app: App): number | undefined {
  const value: unknown = app.node.tryGetContext('digestUntouchedBusinessDays');
  if (value === undefined || value === '') return undefined;
  const days = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(days) || days < 0 || days > 60) throw new Error(`context digestUntouchedBusinessDays must be a whole number from 0 to 60, not ${JSON.stringify(value)}`);
  return days;
}

/** `-c key=false` arrives as the string "false"; cdk.json gives a real boolean. */
function booleanContext(app: App, key: string, fallback: boolean): boolean {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context ${key} must be true or false, not ${JSON.stringify(value)}`);
}

function externalIssuer(app: App): ExternalIssuer | undefined {
  const issuer = optionalString(app, 'jwtIssuer');
  const audience = stringList(app, 'jwtAudience');
  if (issuer === undefined && audience.length === 0) return undefined;
  if (issuer === undefined || audience.length === 0) throw new Error('context jwtIssuer and jwtAudience go together');
  return { issuer, audience };
}

/** A list in cdk.json, or comma-separated on the command line. */
function stringList(app: App, key: string): string[] {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter(Boolean);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new Error(`context ${key} must be a list of strings, or a comma-separated string`);
}

if (require.main === module) buildApp().app.synth();
