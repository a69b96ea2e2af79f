import { buildQueryString, escapeUri, HttpRequest } from '@smithy/core/protocols';
import { awsEndpoints } from '../config';
import { awsDnsSuffix } from './aws-hosts';
import { sigV4Signer } from './sigv4';

/**
 * Presigned links to the bucket's objects: the upload link of POST /imports, the download links of an export and of
 * a rejections workbook. Signed with the SDK's own SigV4 signer, as `@aws-sdk/s3-request-presigner` signs them,
 * without the S3 client the presigner needs. The client costs an API function about 170 KB of its bundle
 * (test/infra/bundles.test.ts) for what is arithmetic on a URL; and its presigned PUTs carry, since the SDK's
 * default checksums, `x-amz-checksum-crc32=AAAAAA==` (the CRC32 of the empty body the link is signed without),
 * which S3 holds the uploaded file against and refuses. These links carry no checksum parameter.
 *
 * test/unit/s3-links.test.ts holds every link against the presigner's own for the same request. The integration
 * tests upload and download through them on the local S3 server, which lets a signature that does not match through
 * (lib/local/services.ts), so it is the unit test that holds the signature.
 */

export const PRESIGNED_URL_SECONDS = 15 * 60;

/** A bucket name a host name can carry (S3's rule for virtual-hosted addresses); any other goes in the path. */
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The object's request, path-style on the local S3 server, virtual-hosted on S3 (as the S3 client addresses it). */
function objectRequest(method: 'GET' | 'PUT', bucket: string, key: string, headers: Record<string, string>, query: Record<string, string>): HttpRequest {
  const { region, s3: endpoint } = awsEndpoints();
  // Each segment escaped as S3 reads a key (every byte but the unreserved ones); the slashes stay.
  const objectPath = key.split('/').map(escapeUri).join('/');
  const local = endpoint ? new URL(endpoint) : undefined;
  const s3Host = `s3.${region}.${awsDnsSuffix(region)}`;
  const hostname = local?.hostname ?? (VIRTUAL_HOSTABLE.test(bucket) ? `${bucket}.${s3Host}` : s3Host);
  const port = local?.port ? Number(local.port) : undefined;
  const path = local || !VIRTUAL_HOSTABLE.test(bucket) ? `/${bucket}/${objectPath}` : `/${objectPath}`;
  return new HttpRequest({
    method,
    protocol: local?.protocol ?? 'https:',
    hostname,
    ...(port ? { port } : {}),
    path,
    // The operation's name, as the SDK adds it; S3 ignores it.
    query: { ...query, 'x-id': method === 'PUT' ? 'PutObject' : 'GetObject' },
    headers: { host: port ? `${hostname}:${port}` : hostname, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD', ...headers },
  });
}

async function presign(request: HttpRequest, unhoistableHeaders: Set<string>, signingDate?: Date): Promise<string> {
  // S3 signs the path as sent, escaped once (above), and the payload is not signed.
  const signer = sigV4Signer('s3', awsEndpoints().region, { uriEscapePath: false, applyChecksum: false });
  const signed = await signer.presign(request, {
    expiresIn: PRESIGNED_URL_SECONDS,
    unhoistableHeaders,
    unsignableHeaders: new Set(['content-type']),
    ...(signingDate ? { signingDate } : {}),
  });
  const port = signed.port ? `:${signed.port}` : '';
  return `${signed.protocol}//${signed.hostname}${port}${signed.path}?${buildQueryString(signed.query ?? {})}`;
}

/**
 * A presigned PUT. The metadata (and the length, when given) are signed headers, not query parameters, so the
 * uploader must send them as given and cannot change them.
 */
export async function presignPut(bucket: string, key: string, metadata: Record<string, string>, contentLength?: number, signingDate?: Date): Promise<string> {
  const headers: Record<string, string> = Object.fromEntries(Object.entries(metadata).map(([name, value]) => [`x-amz-meta-${name}`, value]));
  if (contentLength !== undefined) headers['content-length'] = String(contentLength);
  return presign(objectRequest('PUT', bucket, key, headers, {}), new Set(Object.keys(headers)), signingDate);
}

/** A presigned GET, saved under `downloadName` when one is given. */
export async function presignGet(bucket: string, key: string, downloadName?: string, signingDate?: Date): Promise<string> {
  const query: Record<string, string> = downloadName ? { 'response-content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(downloadName)}` } : {};
  return presign(objectRequest('GET', bucket, key, {}, query), new Set(), signingDate);
}
