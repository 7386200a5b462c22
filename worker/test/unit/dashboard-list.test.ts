/** Search, sort and pages of the dashboard's long lists (dashboard/src/lib/list.ts). */
import { describe, expect, it } from 'vitest';
import { listPage, type ListState } from '../../../dashboard/src/lib/list';

const items = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `key-${String(i).padStart(3, '0')}`, group: i % 5 === 0 ? 'fast' : 'slow', cost: (i * 37) % 101 }));
const state = (s: Partial<ListState>): ListState => ({ query: '', sort: 'name', descending: false, page: 0, pageSize: 50, ...s });
const text = (x: (typeof items)[number]) => `${x.name} ${x.group}`;
const sorts = { name: (x: (typeof items)[number]) => x.name, cost: (x: (typeof items)[number]) => x.cost };

describe('listPage', () => {
  it('pages 500 entries 50 at a time, the last page clamped', () => {
    const p = listPage(items, state({ page: 3 }), text, sorts);
    expect(p).toMatchObject({ matched: 500, total: 500, page: 3, pages: 10 });
    expect(p.rows.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, i) => 150 + i));
    expect(listPage(items, state({ page: 99 }), text, sorts).page).toBe(9);
  });
  it('every word must match, case-insensitively', () => {
    const p = listPage(items, state({ query: 'FAST key-1' }), text, sorts);
    expect(p.matched).toBe(20); // key-100..key-195 every 5th
    expect(p.rows.every((r) => r.group === 'fast' && r.name.startsWith('key-1'))).toBe(true);
    expect(listPage(items, state({ query: 'nothing-like-this' }), text, sorts)).toMatchObject({ matched: 0, pages: 1, rows: [] });
  });
  it('sorts numbers numerically, both ways, ties in list order', () => {
    const asc = listPage(items, state({ sort: 'cost', pageSize: 500 }), text, sorts).rows;
    for (let i = 1; i < asc.length; i++) {
      expect(asc[i]!.cost).toBeGreaterThanOrEqual(asc[i - 1]!.cost);
      if (asc[i]!.cost === asc[i - 1]!.cost) expect(asc[i]!.id).toBeGreaterThan(asc[i - 1]!.id);
    }
    const desc = listPage(items, state({ sort: 'cost', descending: true, pageSize: 1 }), text, sorts).rows;
    expect(desc[0]!.cost).toBe(100);
  });
  it('leaves the input list as it was', () => {
    const copy = items.slice();
    listPage(items, state({ sort: 'cost', descending: true }), text, sorts);
    expect(items).toEqual(copy);
  });
});
