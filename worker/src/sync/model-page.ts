/**
 * The shape every protocol's model-list reader fills in, so {@link fetchModelList} can page through
 * any provider the same way.
 */

/** One page of a provider's model list. */
export interface ModelPage {
  /** Model ids on this page, exactly as the channel's generation endpoint expects them. */
  ids: string[];
  /** Cursor for the next page, or null when this was the last page. */
  next: string | null;
}

/** How to list models on one wire protocol. Pure: no I/O. */
export interface ModelListProtocol {
  /** Human name used in error messages, e.g. `Anthropic`. */
  label: string;
  /** URL of the page after `cursor` (null = the first page) on a channel whose base URL is `baseUrl`. */
  pageUrl(baseUrl: string, cursor: string | null): string;
  /** Auth (and version) headers for the channel key. */
  authHeaders(key: string): Record<string, string>;
  /**
   * Reads one parsed JSON page.
   * @throws Error naming the expected field when the body is not this protocol's list shape.
   */
  parsePage(body: unknown): ModelPage;
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string, else null (JSON `null`, `""`, numbers and absent fields all read as "no value"). */
export function nonEmptyString(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}
