/**
 * Search, sort and pagination of an admin list held in the browser (channels, groups, keys): the
 * admin API returns whole lists (hundreds of entries at most for a personal gateway), so the page
 * filters and pages them without another request.
 */

/** How a list is cut: a free-text query, a sort key and direction, a page (0-based) and its size. */
export interface ListState {
  query: string;
  sort: string;
  descending: boolean;
  page: number;
  pageSize: number;
}

/** One page of a filtered, sorted list, with what the controls show. */
export interface ListPage<T> {
  rows: T[];
  /** Entries matching the query (all pages). */
  matched: number;
  /** Entries in the list. */
  total: number;
  /** The page actually shown (clamped), 0-based, and how many there are (at least 1). */
  page: number;
  pages: number;
}

/**
 * Filters `items` by `state.query` (case-insensitive; every word must occur in the text
 * `text(item)` gives), sorts by `sorts[state.sort]` (numbers before strings compare numerically;
 * ties keep the list's order) and returns the page. Pure; never throws.
 */
export function listPage<T>(items: T[], state: ListState, text: (item: T) => string, sorts: Record<string, (item: T) => string | number>): ListPage<T> {
  const words = state.query.toLowerCase().split(/\s+/).filter(Boolean);
  const matched = words.length === 0 ? items.slice() : items.filter((item) => {
    const hay = text(item).toLowerCase();
    return words.every((w) => hay.includes(w));
  });
  const key = sorts[state.sort];
  if (key) {
    const indexed = matched.map((item, i) => ({ item, i, k: key(item) }));
    indexed.sort((a, b) => {
      const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k).localeCompare(String(b.k), 'en', { numeric: true, sensitivity: 'base' });
      return (state.descending ? -c : c) || a.i - b.i;
    });
    matched.splice(0, matched.length, ...indexed.map((x) => x.item));
  }
  const size = Math.max(1, state.pageSize);
  const pages = Math.max(1, Math.ceil(matched.length / size));
  const page = Math.min(Math.max(0, state.page), pages - 1);
  return { rows: matched.slice(page * size, (page + 1) * size), matched: matched.length, total: items.length, page, pages };
}
