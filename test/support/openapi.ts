/** Follows `$ref`s of the OpenAPI document to the schema or response they name, for tests that read it. */
export function resolved<T = any>(document: any, node: any): T {
  let current = node;
  while (current && typeof current.$ref === 'string') {
    current = current.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((at: any, key: string) => at?.[key], document);
  }
  return current;
}
