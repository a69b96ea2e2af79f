/**
 * How leads are dealt to owners (pure, unit-tested). Round robin deals in turn starting where the previous operation
 * over the same owners stopped, so the spread is even within one and no owner is always dealt the first lead.
 * Balanced gives each lead to the owner with the fewest open leads (new + working) at that moment, so the owners end
 * as even as the leads allow; ties go to the owner earlier in the (rotated) order.
 */

export type Strategy = 'round_robin' | 'balanced';

/** The owners in dealing order: the given order, rotated to start at `start`. Duplicates keep their first place. */
export function dealingOrder(ownerIds: readonly string[], start: number): string[] {
  const unique = [...new Set(ownerIds)];
  if (unique.length === 0) return [];
  const offset = ((start % unique.length) + unique.length) % unique.length;
  return [...unique.slice(offset), ...unique.slice(0, offset)];
}

export function roundRobin(leadIds: readonly string[], order: readonly string[]): Map<string, string[]> {
  const out = new Map(order.map((owner) => [owner, [] as string[]]));
  leadIds.forEach((leadId, index) => out.get(order[index % order.length]!)!.push(leadId));
  return out;
}

export function balanced(leadIds: readonly string[], order: readonly string[], openLeads: ReadonlyMap<string, number>): Map<string, string[]> {
  const out = new Map(order.map((owner) => [owner, [] as string[]]));
  const load = order.map((owner) => openLeads.get(owner) ?? 0);
  for (const leadId of leadIds) {
    let best = 0;
    for (let i = 1; i < order.length; i++) if (load[i]! < load[best]!) best = i;
    out.get(order[best]!)!.push(leadId);
    load[best]!++;
  }
  return out;
}
