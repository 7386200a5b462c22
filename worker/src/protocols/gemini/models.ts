/**
 * Model list and model getter bodies (Gemini API reference "models.list" → `{models: [Model]}`,
 * "models.get" → `Model`; Model fields: name `models/{id}`, baseModelId, version, displayName,
 * description, inputTokenLimit, outputTokenLimit, supportedGenerationMethods, …).
 */
import type { ModelInfo } from '../codec';

/** Generation methods the gateway serves for every model. */
const METHODS = ['generateContent', 'streamGenerateContent', 'countTokens'];

/**
 * One Model resource for `GET /v1beta/models/{model}`. Token limits are left out: the gateway does not
 * know them for a model group (the fields are optional in the reference).
 */
export function encodeModel(model: ModelInfo): Record<string, unknown> {
  return {
    name: `models/${model.id}`,
    baseModelId: model.id,
    version: '001',
    displayName: model.id,
    description: `${model.id} (octopus-edge model group)`,
    supportedGenerationMethods: METHODS,
  };
}

/** The `GET /v1beta/models` body: every model on one page (no nextPageToken). */
export function encodeGeminiModelList(models: ModelInfo[]): { models: Array<Record<string, unknown>> } {
  return { models: models.map(encodeModel) };
}
