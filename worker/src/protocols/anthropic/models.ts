/**
 * The model list in Anthropic's shape (Anthropic API reference, "Models" → "List Models",
 * `GET /v1/models`): `{data: [{type: "model", id, display_name, created_at}], has_more, first_id, last_id}`,
 * `created_at` an RFC 3339 date-time.
 */
import type { ModelInfo } from '../codec';

/** Model-list body for Anthropic clients; one page holding every model. */
export function encodeModelList(models: ModelInfo[]): Record<string, unknown> {
  const data = models.map((m) => ({
    type: 'model',
    id: m.id,
    display_name: m.id,
    created_at: new Date(Number.isFinite(m.created) ? m.created : 0).toISOString(),
  }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}
