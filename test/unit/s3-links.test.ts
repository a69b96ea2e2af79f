import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { presignGet, presignPut, PRESIGNED_URL_SECONDS } from '../../lib/storage/s3-links';

/**
 * The bucket's presigned links (lib/storage/s3-links.ts) are, byte for byte, the links `@aws-sdk/s3-request-presigner`
 * makes for the same request with the S3 client, once the client's default checksum parameters are left out; and
 * none carries those parameters, which S3 would hold an upload against.
 */

const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'FwoGZXIvYXdzEXAMPLE//token+/=' };
const AT = new Date('2026-12-02T08:30:00Z');
const REGION = 'ap-northeast-1';
const KEYS = ['imports/01JCAMPAIGN/participant/セミナー参加者 (2026年12月).xlsx', "exports/01JEXPORT/leads-01J!'()*~.csv", 'imports/a/update/plain.csv'];

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function environment(endpoint?: string) {
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = CREDENTIALS.sessionToken;
  if (endpoint) process.env.S3_ENDPOINT = endpoint;
  else delete process.env.S3_ENDPOINT;
}

function sdkClient(endpoint?: string) {
  return new S3Client({
    region: REGION,
    credentials: CREDENTIALS,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // The client's default checksum parameters left out: an upload link must not carry them (see below).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

describe.each([
  ['S3, virtual-hosted', undefined, 'lead-backend-intake-1a2b3c'],
  ['S3, a bucket name no host can carry', undefined, 'Intake.Bucket'],
  ['the local S3 server, path-style', 'http://localhost:4569', 'intake'],
])('presigned links on %s', (_, endpoint, bucket) => {
  test.each(KEYS)('a PUT of %s with signed metadata and length is the presigner’s', async (key) => {
    environment(endpoint);
    const ours = await presignPut(bucket, key, { 'import-id': '01JIMPORT' }, 123_456, AT);
    const sdk = await getSignedUrl(sdkClient(endpoint), new PutObjectCommand({ Bucket: bucket, Key: key, Metadata: { 'import-id': '01JIMPORT' }, ContentLength: 123_456 }), {
      expiresIn: PRESIGNED_URL_SECONDS,
      signingDate: AT,
      unhoistableHeaders: new Set(['x-amz-meta-import-id', 'content-length']),
    });
    expect(ours).toBe(sdk);
    expect(new URL(ours).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host;x-amz-meta-import-id');
  });

  test.each(KEYS)('a GET of %s saved under a Japanese name is the presigner’s', async (key) => {
    environment(endpoint);
    const name = 'rejections-セミナー参加者.xlsx';
    const ours = await presignGet(bucket, key, name, AT);
    const sdk = await getSignedUrl(
      sdkClient(endpoint),
      new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(name)}` }),
      { expiresIn: PRESIGNED_URL_SECONDS, signingDate: AT },
    );
    expect(ours).toBe(sdk);
    expect(await presignGet(bucket, key, undefined, AT)).toBe(await getSignedUrl(sdkClient(endpoint), new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: PRESIGNED_URL_SECONDS, signingDate: AT }));
  });
});

test('no link carries a checksum parameter, which S3 would hold the uploaded file against', async () => {
  environment(undefined);
  const put = new URL(await presignPut('lead-backend-intake-1a2b3c', KEYS[0]!, { 'import-id': '01JIMPORT' }, 10, AT));
  const get = new URL(await presignGet('lead-backend-intake-1a2b3c', KEYS[0]!, 'a.xlsx', AT));
  for (const url of [put, get]) expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
  expect(put.searchParams.get('X-Amz-Expires')).toBe(String(PRESIGNED_URL_SECONDS));
  expect(put.searchParams.get('X-Amz-Security-Token')).toBe(CREDENTIALS.sessionToken);
  expect(put.host).toBe('lead-backend-intake-1a2b3c.s3.ap-northeast-1.amazonaws.com');
});

test.each(['cn-north-1', 'us-gov-west-1', 'eu-central-1'])('links in %s are addressed as the S3 client addresses them there', async (region) => {
  environment(undefined);
  process.env.AWS_REGION = region;
  const client = new S3Client({ region, credentials: CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const key = KEYS[0]!;
  const ours = await presignGet('lead-backend-intake-1a2b3c', key, undefined, AT);
  expect(ours).toBe(await getSignedUrl(client, new GetObjectCommand({ Bucket: 'lead-backend-intake-1a2b3c', Key: key }), { expiresIn: PRESIGNED_URL_SECONDS, signingDate: AT }));
  expect(new URL(ours).host).toBe(`lead-backend-intake-1a2b3c.s3.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`);
});
