import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsEndpoints } from '../config';
import { ConfigError } from '../errors';
import { traced } from '../tracing';

/** A secret's text from Secrets Manager; an empty secret is a configuration error. */
export async function readSecret(arn: string): Promise<string> {
  const client = traced(new SecretsManagerClient({ region: awsEndpoints().region }));
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!out.SecretString) throw new ConfigError('the secret is empty');
    return out.SecretString;
  } finally {
    client.destroy();
  }
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
