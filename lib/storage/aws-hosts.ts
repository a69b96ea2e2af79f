/**
 * The DNS suffix of a region's service endpoints, for the two calls made without an SDK client (presigned links,
 * the secret read), whose SDK clients would resolve it from their endpoint rules: China's regions answer under
 * amazonaws.com.cn, every other commercial and GovCloud region under amazonaws.com. (The ISO partitions, which
 * this stack does not target, have suffixes of their own.)
 */
export function awsDnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}
