/**
 * The rule that keeps name resolution unambiguous (config/resolve.ts): across all groups, every
 * group name and every alias is a distinct name. Checked when a group is created or changed;
 * the database cannot enforce it (aliases live in a JSON column). Pure.
 */
import type { Group } from '../db/types';

/**
 * The first clash of a group's name and aliases with the other groups' names and aliases, as a
 * message naming the field, or null.
 * @param groups every stored group (the one being changed included: it is skipped by `selfId`).
 * @param selfId the changed group's id, or null for a new group.
 */
export function nameClash(groups: Group[], selfId: number | null, name: string, aliases: string[]): string | null {
  const aliasIndex = aliases.indexOf(name);
  if (aliasIndex >= 0) return `aliases.${aliasIndex}: "${name}" is the group's own name`;
  const owners = new Map<string, string>();
  for (const g of groups) {
    if (g.id === selfId) continue;
    owners.set(g.name, `the name of group "${g.name}"`);
    for (const a of g.aliases) owners.set(a, `an alias of group "${g.name}"`);
  }
  const own = owners.get(name);
  // The name clashing with another group's name is the store's unique constraint (409 as before).
  if (own && !groups.some((g) => g.id !== selfId && g.name === name)) return `name: "${name}" is already ${own}`;
  for (const [i, a] of aliases.entries()) {
    const other = owners.get(a);
    if (other) return `aliases.${i}: "${a}" is already ${other}`;
  }
  return null;
}
