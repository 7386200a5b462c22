/**
 * Model list in OpenAI's shape (OpenAI API reference, "List models": `GET /v1/models` →
 * `{object: "list", data: [{id, object: "model", created, owned_by}]}`, `created` in seconds).
 */
import type { ModelInfo } from '../codec';

/** The list body; `created` (ms in ModelInfo) becomes seconds. */
export function encodeModelList(models: ModelInfo[]): { object: 'list'; data: Array<Record<string, unknown>> } {
  return {
    object: 'list',
    data: models.map((m) => ({ id: m.id, object: 'model', created: Math.floor(m.created / 1000), owned_by: 'octopus-edge' })),
  };
}
