import { HttpRequest } from '@smithy/core/protocols';
import { backoffMs, sleep } from '../async';
import { awsEndpoints } from '../config';
import { ConfigError } from '../errors';
import { traceAwsCall } from '../tracing';
import { awsDnsSuffix } from './aws-hosts';
import { sigV4Signer } from './sigv4';

/**
 * Secrets Manager's GetSecretValue, signed with the SDK's own SigV4 signer and sent with fetch, as the SDK's client
 * sends it (the JSON 1.1 protocol: one POST, the operation in X-Amz-Target). Written here because the client costs
 * 14 KB of every function that reads a deployment key (the lead function's bundle is held to 500 KB:
 * test/infra/bundles.test.ts), for one call per container. Kept from the client: its three attempts with backoff on
 * throttling, faults and lost connections, and the call's trace. test/unit/secrets.test.ts holds the request
 * against what the client sends and what Secrets Manager checks of it.
 */

const ATTEMPTS = 3;
const TIMEOUT_MS = 5_000;
const RETRYABLE = /Throttling|TooManyRequests|RequestLimitExceeded|InternalServiceError|ServiceUnavailable/;

/** A refusal or fault Secrets Manager answered with: the error's type only (its message may name the secret). */
export class SecretsManagerError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
  ) {
    super(`Secrets Manager refused GetSecretValue: ${type} (HTTP ${status})`);
    this.name = type;
  }
}

const retryable = (error: unknown) => !(error instanceof SecretsManagerError) || error.status >= 500 || error.status === 429 || RETRYABLE.test(error.type);

/** A secret's text from Secrets Manager, by ARN; an empty secret is a configuration error. `endpoint` is for tests. */
export async function readSecret(arn: string, endpoint?: URL): Promise<string> {
  // The secret's own region (arn:aws:secretsmanager:ap-northeast-1:…), as the client would be given it.
  const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(arn)?.[1] ?? awsEndpoints().region;
  const url = endpoint ?? new URL(`https://secretsmanager.${region}.${awsDnsSuffix(region)}/`);
  const signer = sigV4Signer('secretsmanager', region);
  const body = JSON.stringify({ SecretId: arn });
  const out = await traceAwsCall({ service: 'Secrets Manager', operation: 'GetSecretValue', region: () => region }, async (record, traceHeader): Promise<{ SecretString?: string }> => {
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
        ...(traceHeader ? { 'x-amzn-trace-id': traceHeader } : {}),
      },
      body,
    });
    for (let attempt = 1; ; attempt += 1) {
      record.attempts = attempt;
      try {
        // Signed again on every attempt: a signature carries its time.
        const signed = await signer.sign(request);
        const response = await fetch(url, { method: 'POST', headers: signed.headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
        record.status = response.status;
        record.requestId = response.headers.get('x-amzn-requestid') ?? undefined;
        const answer = (await response.json().catch(() => ({}))) as { SecretString?: string; __type?: string };
        if (response.ok) return answer;
        // "ResourceNotFoundException", or with its namespace: "com.amazonaws.secretsmanager#ResourceNotFoundException".
        throw new SecretsManagerError(answer.__type?.split('#').pop() || `HTTP${response.status}`, response.status);
      } catch (error) {
        if (attempt >= ATTEMPTS || !retryable(error)) throw error;
        // The project's backoff (lib/async.ts): 100 ms doubling, jittered, as the SDK client's first retries wait.
        await sleep(backoffMs(attempt - 1, 100, 1_000));
      }
    }
  });
  if (!out.SecretString) throw new ConfigError('the secret is empty');
  return out.SecretString;
}

/**
 * A key of the deployment's, read once per container: given as text locally (`local`), or from Secrets Manager by
 * ARN in the cloud. A failed read is not kept, so the next call tries again.
 */
export function deploymentKey(source: { local: () => string | undefined; arn: () => string | undefined; names: string }) {
  let key: Promise<Buffer> | undefined;
  const load = async (): Promise<Buffer> => {
    const local = source.local();
    if (local) return Buffer.from(local, 'utf8');
    const arn = source.arn();
    if (!arn) throw new ConfigError(`${source.names} is required`);
    return Buffer.from(await readSecret(arn), 'utf8');
  };
  return {
    get(): Promise<Buffer> {
      key ??= load().catch((error) => {
        key = undefined;
        throw error;
      });
      return key;
    },
    /** Forgets the key (tests that change it). */
    reset(): void {
      key = undefined;
    },
  };
}
