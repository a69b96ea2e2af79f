import fc from 'fast-check';
import * as z from 'zod';

/**
 * fast-check arbitraries for a route's inputs, read from its zod schema through the JSON Schema zod 4 writes
 * (`z.toJSONSchema`): values that should pass ("valid-ish": the generator knows patterns, formats, enums, lengths
 * and bounds, not every refinement), the same values broken in one place, and hostile text of every kind.
 * The ids a route is given come from `idsFor(fieldName)`, so a valid-ish request can name things that exist.
 */

type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
};

export const jsonSchemaOf = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** Text that has broken input handlers elsewhere: widths, scripts, controls, lone surrogates, injections, sizes. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u0000',
    'null',
    'undefined',
    'true',
    '0',
    '-1',
    '1e309',
    'NaN',
    'ＡＢＣ１２３',
    'ｔｅｓｔ＠ｅｘａｍｐｌｅ．ｃｏｍ',
    'ｍｅ',
    '０３－１２３４－５６７８',
    '株式会社テスト',
    '𠮷野家',
    '葛\u{E0100}城',
    '👩‍👩‍👧‍👦',
    '\u200b\u200d\ufeff',
    '\u202eevil',
    '\ud800',
    '\udfff\ud800',
    '../../etc/passwd',
    '%00',
    '%',
    "' OR '1'='1",
    '<script>alert(1)</script>',
    '=HYPERLINK("http://x")',
    '${jndi:ldap://x}',
    '__proto__',
    'constructor',
    'PK',
    'LEAD#x',
    'a'.repeat(65),
    'あ'.repeat(5000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 100, maxLength: 400 }),
);

/** Any JSON value, of any type, including ones no schema here accepts. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  hostileText,
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, -1e21, [], {}, [null], { '': '' }),
);

export interface ArbitraryOptions {
  /** Ids that exist for a field of this name (a `campaignId`, `leadIds`, …): mixed into what is generated for it. */
  idsFor(field: string): readonly string[];
}

const isoDate = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true });
const formatted = (format: string | undefined): fc.Arbitrary<string> | undefined => {
  if (format === 'date') return isoDate.map((d) => d.toISOString().slice(0, 10));
  if (format === 'date-time') {
    return fc.tuple(isoDate, fc.constantFrom('Z', '+09:00', '-05:30')).map(([d, zone]) => d.toISOString().replace('Z', zone));
  }
  if (format === 'email') return fc.emailAddress();
  return undefined;
};

function stringArbitrary(schema: JsonSchema, field: string, options: ArbitraryOptions): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 60, Math.max(min, 60));
  let base = formatted(schema.format);
  if (!base && schema.pattern) {
    try {
      base = fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Infinity));
    } catch {
      base = undefined;
    }
  }
  if (!base && /e-?mail/i.test(field)) base = fc.emailAddress();
  base ??= fc.string({ unit: 'grapheme', minLength: min, maxLength: max });
  const ids = options.idsFor(field);
  if (ids.length > 0 && (schema.pattern || /ids?$/i.test(field))) return fc.oneof(fc.constantFrom(...ids), fc.constantFrom(...ids), base);
  return base;
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1_000_000);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1_000_000_000);
  const lo = Math.max(min, Number.MIN_SAFE_INTEGER);
  const hi = Math.min(max, Number.MAX_SAFE_INTEGER);
  if (!integer) return fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
  // Small values most of the time (versions, limits), the bounds and anything between now and then.
  return fc.oneof(
    fc.integer({ min: Math.max(lo, Math.min(hi, 0)), max: Math.min(hi, Math.max(lo, 0) + 5) }),
    fc.constantFrom(lo, hi),
    fc.integer({ min: Math.max(lo, -(2 ** 31)), max: Math.min(hi, 2 ** 31 - 1) }),
  );
}

/** A value that should satisfy the schema, as far as a JSON Schema tells. */
export function validArbitrary(schema: JsonSchema, options: ArbitraryOptions, field = ''): fc.Arbitrary<unknown> {
  if (schema.anyOf || schema.oneOf) return fc.oneof(...(schema.anyOf ?? schema.oneOf)!.map((s) => validArbitrary(s, options, field)));
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => validArbitrary({ ...schema, type }, options, field)));
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema, field, options);
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(validArbitrary(schema.items ?? {}, options, field), { minLength, maxLength: Math.min(schema.maxItems ?? 5, minLength + 5) });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, validArbitrary(s, options, name)])),
        { requiredKeys: (schema.required ?? []).filter((k) => k in properties) as never[] },
      );
      if (typeof schema.additionalProperties === 'object') {
        const extra = fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), validArbitrary(schema.additionalProperties, options), { maxKeys: 4 });
        return fc.tuple(record, extra).map(([r, e]) => ({ ...e, ...r }));
      }
      return record;
    }
    default:
      return anyJson;
  }
}

/** A valid-ish object broken in one place: a field of the wrong type or hostile text, a required field gone, a field too many. */
export function brokenArbitrary(schema: JsonSchema, options: ArbitraryOptions): fc.Arbitrary<unknown> {
  const names = Object.keys(schema.properties ?? {});
  const valid = validArbitrary(schema, options);
  if (names.length === 0) return anyJson;
  return fc
    .tuple(valid, fc.constantFrom(...names), fc.oneof(anyJson, hostileText), fc.constantFrom('replace', 'delete', 'add'))
    .map(([value, name, wrong, how]) => {
      const object = { ...(value as Record<string, unknown>) };
      if (how === 'replace') object[name] = wrong;
      else if (how === 'delete') delete object[name];
      else object[`${name}Extra`] = wrong;
      return object;
    });
}

/** Query strings: valid-ish values as text, broken ones, unknown keys, and the same key twice. */
export function queryArbitrary(schema: JsonSchema | undefined, options: ArbitraryOptions): fc.Arbitrary<[string, string][]> {
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const unknownKeys = fc.array(fc.tuple(fc.oneof(fc.constantFrom('foo', '__proto__', 'limit[]', ''), hostileText), hostileText.map(String)), { maxLength: 2 });
  if (!schema?.properties) return fc.oneof(fc.constant<[string, string][]>([]), unknownKeys);
  const valid = (validArbitrary(schema, options) as fc.Arbitrary<Record<string, unknown>>).map((q) =>
    Object.entries(q).map(([k, v]) => [k, text(v)] as [string, string]),
  );
  const names = Object.keys(schema.properties);
  const broken = fc
    .tuple(valid, fc.constantFrom(...names), hostileText, fc.boolean())
    .map(([pairs, name, wrong, twice]) => (twice ? [...pairs, [name, wrong] as [string, string]] : [...pairs.filter(([k]) => k !== name), [name, wrong] as [string, string]]));
  return fc.oneof(valid, valid, broken, fc.tuple(valid, unknownKeys).map(([a, b]) => [...a, ...b]));
}
