import { TABLE_PARTITION_KEY } from './definition';
import type { Item } from './item';

/**
 * Conditions and update expressions, built once. Item-level conditions name the table's key through the
 * definition, and updates built from plain objects get their placeholders here, so no repository writes
 * `attribute_not_exists(PK)` or counts its own `#a`/`:a` pairs.
 */

/** The item is not there yet: a create that must not overwrite. */
export const ITEM_ABSENT = `attribute_not_exists(${TABLE_PARTITION_KEY})`;
/** The item is there: an update that must not create. */
export const ITEM_EXISTS = `attribute_exists(${TABLE_PARTITION_KEY})`;

/**
 * An update as data: attributes to set, to remove, and numbers to add (counters) or strings to add to a string set
 * (adding a member it has already changes nothing, so such an update may be repeated).
 */
export interface Changes {
  set?: Item;
  remove?: readonly string[];
  add?: Record<string, number | ReadonlySet<string>>;
}

export interface Expression {
  expression: string;
  names: Record<string, string>;
  values: Item;
}

/**
 * The update expression for `changes`, with placeholders of its own (`#u0`, `:u0`, …) so it can sit beside a
 * condition's. Undefined values in `set` are skipped (an attribute is removed only when named in `remove`).
 */
export function updateExpression(changes: Changes): Expression {
  const names: Record<string, string> = {};
  const values: Item = {};
  let n = 0;
  const name = (attribute: string) => {
    const placeholder = `#u${n++}`;
    names[placeholder] = attribute;
    return placeholder;
  };
  const value = (v: unknown) => {
    const placeholder = `:u${n++}`;
    values[placeholder] = v;
    return placeholder;
  };
  const clauses: string[] = [];
  const set = Object.entries(changes.set ?? {}).filter(([, v]) => v !== undefined);
  if (set.length > 0) clauses.push(`SET ${set.map(([k, v]) => `${name(k)} = ${value(v)}`).join(', ')}`);
  if (changes.remove?.length) clauses.push(`REMOVE ${changes.remove.map(name).join(', ')}`);
  const add = Object.entries(changes.add ?? {}).filter(([, v]) => (typeof v === 'number' ? v !== 0 : v.size > 0));
  if (add.length > 0) clauses.push(`ADD ${add.map(([k, v]) => `${name(k)} ${value(v)}`).join(', ')}`);
  if (clauses.length === 0) throw new Error('an update needs something to set, remove or add');
  return { expression: clauses.join(' '), names, values };
}
