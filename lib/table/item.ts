/** An item as the product sees it: a plain object, marshalled to DynamoDB's attribute values only by the adapter. */
export type Item = Record<string, unknown>;
