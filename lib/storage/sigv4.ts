import { fromEnv } from '@aws-sdk/credential-provider-env';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * The SDK's own SigV4 signer, for the calls made without an SDK client (presigned links, the secret read), with the
 * credentials Lambda gives a function in its environment (lib/storage/lambda-credentials.ts says why no other source).
 * `options` carries what a service signs differently (S3: the path as sent, no payload hash).
 */
export function sigV4Signer(service: string, region: string, options: { uriEscapePath?: boolean; applyChecksum?: boolean } = {}): SignatureV4 {
  return new SignatureV4({ service, region, credentials: fromEnv(), sha256: Sha256, ...options });
}
