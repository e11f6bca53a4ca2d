/**
 * One page of an Anthropic list (`GET /v1/models`), as the API pages it: `limit` (1–1000,
 * default 20), and a cursor, `after_id` or `before_id`
 * (https://docs.anthropic.com/en/api/models-list). Claude Code asks for `limit=1000`; the SDKs
 * follow `has_more` and `last_id`.
 */

/** A list page in Anthropic's shape. */
export interface ListPage<T> {
  data: T[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** The page of `items` that `query` asks for, or an error message for a bad `limit`. */
export function listPage<T extends { id: string }>(
  items: T[],
  query: URLSearchParams,
): ListPage<T> | { error: string } {
  const rawLimit = query.get("limit");
  const limit = rawLimit === null ? 20 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    return { error: "limit: must be an integer from 1 to 1000" };
  }
  const after = query.get("after_id");
  const before = query.get("before_id");
  let from = 0;
  let to = items.length;
  if (after !== null) from = items.findIndex((m) => m.id === after) + 1;
  if (before !== null) {
    const at = items.findIndex((m) => m.id === before);
    to = at < 0 ? items.length : at;
  }
  // Before a cursor, the page is the items closest to it; after one (or none), the first ones.
  const start = before !== null && after === null ? Math.max(from, to - limit) : from;
  const data = items.slice(start, Math.min(to, start + limit));
  const has_more = before !== null && after === null ? start > from : start + limit < to;
  return {
    data,
    has_more,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}
