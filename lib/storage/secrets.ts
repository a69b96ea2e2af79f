import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsEndpoints } from '../config';
import { ConfigError } from '../errors';

/** A secret's text from Secrets Manager; an empty secret is a configuration error. */
export async function readSecret(arn: string): Promise<string> {
  const client = new SecretsManagerClient({ region: awsEndpoints().region });
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!out.SecretString) throw new ConfigError('the secret is empty');
    return out.SecretString;
  } finally {
    client.destroy();
  }
}
