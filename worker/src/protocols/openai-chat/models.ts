/**
 * Model list in the OpenAI shape (OpenAI API reference, "Models" → "List models":
 * `{object:'list', data:[{id, object:'model', created, owned_by}]}`, `created` in seconds).
 */
import type { ModelInfo } from '../codec';

/** One listed model. */
export interface OpenAIModel {
  id: string;
  object: 'model';
  /** Seconds since epoch. */
  created: number;
  owned_by: string;
}

/** The list body; `created` is converted from ms (ModelInfo) to seconds. */
export function encodeModelList(models: ModelInfo[]): { object: 'list'; data: OpenAIModel[] } {
  return {
    object: 'list',
    data: models.map((m) => ({ id: m.id, object: 'model', created: Math.floor(m.created / 1000), owned_by: 'octopus-edge' })),
  };
}
