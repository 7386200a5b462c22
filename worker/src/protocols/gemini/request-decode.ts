/**
 * Client request (`POST /v1beta/models/{model}:generateContent` or `:streamGenerateContent`) → canonical.
 * Wire facts: Gemini API reference "models.generateContent" request body (contents, tools, toolConfig,
 * safetySettings, systemInstruction, generationConfig, cachedContent). Field names are accepted in
 * camelCase and snake_case.
 */
import { RequestDecodeError, type CanonicalRequest } from '../canonical';
import { decodeGenerationConfig, decodeToolConfig, decodeTools } from './config-decode';
import { decodeContents, decodeSystemInstruction } from './contents-decode';
import { field, isObject, stripModelsPrefix, unknownFields, type Json } from './wire';

/** Request fields with a canonical meaning; everything else travels in `extensions.fields`. */
const KNOWN_TOP = new Set(['model', 'contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig']);

/**
 * Decodes a Gemini generateContent request body.
 *
 * - The model comes from the URL (`hints.model`, a leading `models/` stripped), else a body `model`.
 * - Streaming comes from the URL (`hints.stream`: `:streamGenerateContent`).
 * - `extensions.fields` keeps unknown top-level fields (safetySettings, cachedContent, labels, …) plus
 *   the parts of `generationConfig`, `tools` (built-in tools) and `toolConfig` with no canonical meaning,
 *   under those same keys, for a Gemini upstream.
 *
 * @throws RequestDecodeError for a malformed body; the message names the field, e.g.
 *   `contents.2.parts: expected array`.
 */
export function decodeGeminiRequest(body: unknown, hints: { model?: string; stream?: boolean }): CanonicalRequest {
  if (!isObject(body)) throw new RequestDecodeError('body: expected a JSON object');
  const bodyModel = field(body, 'model');
  const model = stripModelsPrefix(hints.model ?? (typeof bodyModel === 'string' ? bodyModel : ''));
  if (model === '') throw new RequestDecodeError('model: missing (expected in the URL, /models/{model}:generateContent)', 'model');

  const messages = decodeContents(field(body, 'contents'));
  const system = decodeSystemInstruction(field(body, 'systemInstruction'));
  const { tools, builtIn } = decodeTools(field(body, 'tools'));
  const { toolChoice, rest: toolConfigRest } = decodeToolConfig(field(body, 'toolConfig'));
  const generation = decodeGenerationConfig(field(body, 'generationConfig'));

  const fields: Json = unknownFields(body, KNOWN_TOP);
  if (generation.rest) fields.generationConfig = generation.rest;
  if (builtIn.length > 0) fields.tools = builtIn;
  if (toolConfigRest) fields.toolConfig = toolConfigRest;

  const stream = hints.stream ?? false;
  return {
    model,
    system,
    messages,
    tools,
    ...(toolChoice && { toolChoice }),
    sampling: generation.sampling,
    ...(generation.reasoning && { reasoning: generation.reasoning }),
    ...(generation.responseFormat && { responseFormat: generation.responseFormat }),
    stream,
    // Gemini always reports usageMetadata; its clients expect it.
    includeUsage: true,
    extensions: { protocol: 'gemini', fields },
  };
}
