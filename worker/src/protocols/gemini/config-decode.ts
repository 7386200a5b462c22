/**
 * Gemini `tools`, `toolConfig` and `generationConfig` → canonical tools, tool choice, sampling,
 * reasoning and response format. Wire facts: Gemini API reference "Tool" (functionDeclarations and
 * built-in tools), "ToolConfig / FunctionCallingConfig" (mode AUTO | ANY | NONE | VALIDATED,
 * allowedFunctionNames), "GenerationConfig" and "ThinkingConfig" (thinkingBudget: 0 = off, -1 = dynamic;
 * thinkingLevel MINIMAL | LOW | MEDIUM | HIGH; includeThoughts).
 */
import {
  RequestDecodeError, type ReasoningConfig, type ReasoningEffort, type ResponseFormat, type Sampling, type ToolChoice, type ToolDefinition,
} from '../canonical';
import { emptyObjectSchema, lowercaseSchemaTypes, openApiToJsonSchema } from './schema';
import { field, isEmpty, isObject, unknownFields, type Json } from './wire';

function expectObject(v: unknown, path: string): Json {
  if (!isObject(v)) throw new RequestDecodeError(`${path}: expected object`, path);
  return v;
}

function optionalNumber(o: Json, name: string, path: string): number | undefined {
  const v = field(o, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RequestDecodeError(`${path}.${name}: expected number`, `${path}.${name}`);
  return v;
}

/** The JSON Schema of a declaration: `parametersJsonSchema` as is, or `parameters` converted from OpenAPI. */
function declarationSchema(decl: Json, path: string): Json {
  const jsonSchema = field(decl, 'parametersJsonSchema');
  const raw = jsonSchema !== undefined ? lowercaseSchemaTypes(jsonSchema) : openApiToJsonSchema(field(decl, 'parameters'));
  if (raw === undefined || raw === null) return emptyObjectSchema();
  return expectObject(raw, `${path}.parameters`);
}

/**
 * `tools` → canonical function tools, plus the tool entries with no canonical meaning (googleSearch,
 * codeExecution, urlContext, …) for a same-protocol upstream.
 */
export function decodeTools(v: unknown): { tools: ToolDefinition[]; builtIn: Json[] } {
  const tools: ToolDefinition[] = [];
  const builtIn: Json[] = [];
  if (v === undefined || v === null) return { tools, builtIn };
  if (!Array.isArray(v)) throw new RequestDecodeError('tools: expected array', 'tools');
  v.forEach((t, i) => {
    const entry = expectObject(t, `tools.${i}`);
    const decls = field(entry, 'functionDeclarations');
    if (decls !== undefined) {
      if (!Array.isArray(decls)) throw new RequestDecodeError(`tools.${i}.functionDeclarations: expected array`, `tools.${i}.functionDeclarations`);
      decls.forEach((d, j) => {
        const path = `tools.${i}.functionDeclarations.${j}`;
        const decl = expectObject(d, path);
        const name = field(decl, 'name');
        if (typeof name !== 'string' || name === '') throw new RequestDecodeError(`${path}.name: expected string`, `${path}.name`);
        const description = field(decl, 'description');
        tools.push({
          name,
          ...(typeof description === 'string' && description !== '' && { description }),
          parameters: declarationSchema(decl, path),
        });
      });
    }
    const rest = unknownFields(entry, new Set(['functionDeclarations']));
    if (!isEmpty(rest)) builtIn.push(rest);
  });
  return { tools, builtIn };
}

/**
 * `toolConfig.functionCallingConfig` → tool choice. ANY with exactly one allowed name forces that tool.
 * What the canonical form cannot say (VALIDATED, ANY with several names, retrievalConfig) is returned
 * in `rest` for a same-protocol upstream.
 */
export function decodeToolConfig(v: unknown): { toolChoice?: ToolChoice; rest?: Json } {
  if (v === undefined || v === null) return {};
  const config = expectObject(v, 'toolConfig');
  const rest = unknownFields(config, new Set(['functionCallingConfig']));
  const fccRaw = field(config, 'functionCallingConfig');
  let toolChoice: ToolChoice | undefined;
  if (fccRaw !== undefined && fccRaw !== null) {
    const fcc = expectObject(fccRaw, 'toolConfig.functionCallingConfig');
    const mode = field(fcc, 'mode');
    const modeName = typeof mode === 'string' ? mode.toUpperCase() : 'AUTO';
    const names = field(fcc, 'allowedFunctionNames');
    const allowed = Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
    if (modeName === 'NONE') toolChoice = { type: 'none' };
    else if (modeName === 'ANY') toolChoice = allowed.length === 1 && allowed[0] ? { type: 'tool', name: allowed[0] } : { type: 'required' };
    else toolChoice = { type: 'auto' };
    const exact = modeName === 'NONE' || modeName === 'AUTO' || modeName === 'MODE_UNSPECIFIED' || (modeName === 'ANY' && allowed.length <= 1);
    if (!exact || (modeName !== 'ANY' && allowed.length > 0)) rest.functionCallingConfig = fcc;
  }
  return { ...(toolChoice && { toolChoice }), ...(!isEmpty(rest) && { rest }) };
}

const EFFORT_BY_LEVEL: Record<string, ReasoningEffort> = { MINIMAL: 'minimal', LOW: 'low', MEDIUM: 'medium', HIGH: 'high' };

/**
 * `thinkingConfig` → reasoning: budget 0 = off, -1 = dynamic (on, no budget), > 0 = budget; level →
 * effort. `includeThoughts` alone is on with neither budget nor effort: Gemini thinking models think
 * by default (dynamic), and each target picks its default for that (Anthropic: a medium budget with
 * room to answer, see anthropic/thinking.ts; README "Reasoning across protocols").
 */
function decodeThinking(v: unknown): ReasoningConfig | undefined {
  if (v === undefined || v === null) return undefined;
  const tc = expectObject(v, 'generationConfig.thinkingConfig');
  const budget = optionalNumber(tc, 'thinkingBudget', 'generationConfig.thinkingConfig');
  const level = field(tc, 'thinkingLevel');
  const include = field(tc, 'includeThoughts');
  const effort = typeof level === 'string' ? EFFORT_BY_LEVEL[level.toUpperCase()] : undefined;
  if (budget === undefined && effort === undefined && typeof include !== 'boolean') return undefined;
  return {
    enabled: budget !== 0,
    ...(effort && { effort }),
    ...(budget !== undefined && budget > 0 && { budgetTokens: budget }),
    ...(typeof include === 'boolean' && { includeThoughts: include }),
  };
}

const GENERATION_KNOWN = new Set([
  'temperature', 'topP', 'topK', 'maxOutputTokens', 'stopSequences', 'seed', 'presencePenalty', 'frequencyPenalty',
  'responseMimeType', 'responseSchema', 'responseJsonSchema', 'thinkingConfig',
]);

/** The response format implied by `responseMimeType` + `responseJsonSchema` / `responseSchema`. */
function decodeResponseFormat(g: Json): { format?: ResponseFormat; passthrough: boolean } {
  const mime = field(g, 'responseMimeType');
  const jsonSchema = field(g, 'responseJsonSchema');
  const schema = jsonSchema !== undefined ? lowercaseSchemaTypes(jsonSchema) : openApiToJsonSchema(field(g, 'responseSchema'));
  if (mime === undefined || mime === 'application/json') {
    if (isObject(schema)) return { format: { type: 'json_schema', name: 'response', schema }, passthrough: false };
    return { ...(mime !== undefined && { format: { type: 'json_object' } }), passthrough: false };
  }
  if (mime === 'text/plain' && schema === undefined) return { format: { type: 'text' }, passthrough: false };
  // e.g. text/x.enum with an enum schema: no canonical form, keep it for a Gemini upstream.
  return { passthrough: true };
}

export interface DecodedGeneration {
  sampling: Sampling;
  reasoning?: ReasoningConfig;
  responseFormat?: ResponseFormat;
  /** generationConfig fields with no canonical meaning (candidateCount, responseModalities, …). */
  rest?: Json;
}

/** `generationConfig` → sampling, reasoning and response format. @throws RequestDecodeError on wrong types. */
export function decodeGenerationConfig(v: unknown): DecodedGeneration {
  if (v === undefined || v === null) return { sampling: {} };
  const path = 'generationConfig';
  const g = expectObject(v, path);
  const sampling: Sampling = {};
  const num = (name: string) => optionalNumber(g, name, path);
  const set = <K extends keyof Sampling>(k: K, val: Sampling[K] | undefined) => { if (val !== undefined) sampling[k] = val; };
  set('temperature', num('temperature'));
  set('topP', num('topP'));
  set('topK', num('topK'));
  set('maxTokens', num('maxOutputTokens'));
  set('seed', num('seed'));
  set('presencePenalty', num('presencePenalty'));
  set('frequencyPenalty', num('frequencyPenalty'));
  const stop = field(g, 'stopSequences');
  if (stop !== undefined && stop !== null) {
    if (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string')) throw new RequestDecodeError(`${path}.stopSequences: expected array of strings`, `${path}.stopSequences`);
    if (stop.length > 0) sampling.stop = stop as string[];
  }
  const rest = unknownFields(g, GENERATION_KNOWN);
  const { format, passthrough } = decodeResponseFormat(g);
  if (passthrough) {
    for (const k of ['responseMimeType', 'responseSchema', 'responseJsonSchema']) {
      const val = field(g, k);
      if (val !== undefined) rest[k] = val;
    }
  }
  const reasoning = decodeThinking(field(g, 'thinkingConfig'));
  return { sampling, ...(reasoning && { reasoning }), ...(format && { responseFormat: format }), ...(!isEmpty(rest) && { rest }) };
}
