/**
 * Canonical request → Gemini generateContent body for a Gemini upstream.
 * Wire facts: Gemini API reference "models.generateContent", "FunctionDeclaration"
 * (`parametersJsonSchema`: JSON Schema, mutually exclusive with the OpenAPI-subset `parameters`),
 * "FunctionCallingConfig", "GenerationConfig" (`responseJsonSchema`), "ThinkingConfig".
 */
import type { CanonicalRequest, ReasoningConfig, ReasoningEffort, ResponseFormat, ToolChoice, ToolDefinition } from '../canonical';
import { encodeContents } from './contents-encode';
import { toParametersJsonSchema } from './schema';
import { camelCase, isObject, type Json } from './wire';

/**
 * Thinking budget (tokens) per effort, for targets that only know budgets. 24576 is the largest budget
 * every Gemini 2.5 model accepts (Flash and Flash-Lite cap at 24576, Pro at 32768).
 */
const BUDGET_BY_EFFORT: Record<ReasoningEffort, number> = { minimal: 512, low: 2048, medium: 8192, high: 24576, xhigh: 24576 };
const MAX_PORTABLE_BUDGET = 24576;
/**
 * Largest output cap of current Gemini models (`outputTokenLimit` 65,536 in the recorded models list,
 * gemini/extracted/llmgemini__test_cli_gemini_models.resp0.json). Clients of other protocols ask for
 * more (Claude Code: 128,000), which Gemini rejects as out of range (400 INVALID_ARGUMENT).
 */
const MAX_PORTABLE_OUTPUT = 65536;
const LEVEL_BY_EFFORT: Record<ReasoningEffort, string> = { minimal: 'MINIMAL', low: 'LOW', medium: 'MEDIUM', high: 'HIGH', xhigh: 'HIGH' };

/** Parameters of a custom (free-text) tool: one string the model fills in. */
const CUSTOM_TOOL_SCHEMA: Json = { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] };

function encodeTool(t: ToolDefinition): Json {
  const schema = t.kind === 'custom' ? CUSTOM_TOOL_SCHEMA : toParametersJsonSchema(t.parameters);
  return { name: t.name, ...(t.description && { description: t.description }), ...(schema && { parametersJsonSchema: schema }) };
}

function encodeToolChoice(c: ToolChoice): Json {
  switch (c.type) {
    case 'none': return { mode: 'NONE' };
    case 'required': return { mode: 'ANY' };
    case 'tool': return { mode: 'ANY', allowedFunctionNames: [c.name] };
    default: return { mode: 'AUTO' };
  }
}

/**
 * Reasoning → `thinkingConfig`. Off → `thinkingBudget: 0`; a budget → `thinkingBudget`; an effort →
 * `thinkingLevel` when the client spoke Gemini (it chose a level for its model), else a budget from
 * BUDGET_BY_EFFORT (budgets work on Gemini 2.5 and 3; levels fail on 2.5). On with neither → no budget
 * (dynamic thinking is the default). `includeThoughts` when asked.
 */
function encodeThinking(r: ReasoningConfig | undefined, sameProtocol: boolean): Json | undefined {
  if (!r) return undefined;
  const tc: Json = {};
  if (!r.enabled) tc.thinkingBudget = 0;
  else if (r.budgetTokens !== undefined) tc.thinkingBudget = sameProtocol ? r.budgetTokens : Math.min(r.budgetTokens, MAX_PORTABLE_BUDGET);
  else if (r.effort) {
    if (sameProtocol) tc.thinkingLevel = LEVEL_BY_EFFORT[r.effort];
    else tc.thinkingBudget = BUDGET_BY_EFFORT[r.effort];
  }
  if (r.enabled && r.includeThoughts) tc.includeThoughts = true;
  return Object.keys(tc).length > 0 ? tc : undefined;
}

function encodeResponseFormat(f: ResponseFormat | undefined, g: Json): void {
  if (!f || f.type === 'text') return;
  g.responseMimeType = 'application/json';
  if (f.type === 'json_schema') g.responseJsonSchema = f.schema;
}

function encodeGenerationConfig(req: CanonicalRequest, sameProtocol: boolean, extra: unknown): Json | undefined {
  const g: Json = isObject(extra) ? { ...extra } : {};
  const s = req.sampling;
  if (s.temperature !== undefined) g.temperature = s.temperature;
  if (s.topP !== undefined) g.topP = s.topP;
  if (s.topK !== undefined) g.topK = s.topK;
  if (s.maxTokens !== undefined) g.maxOutputTokens = sameProtocol ? s.maxTokens : Math.min(s.maxTokens, MAX_PORTABLE_OUTPUT);
  if (s.stop && s.stop.length > 0) g.stopSequences = s.stop;
  if (s.seed !== undefined) g.seed = s.seed;
  if (s.presencePenalty !== undefined) g.presencePenalty = s.presencePenalty;
  if (s.frequencyPenalty !== undefined) g.frequencyPenalty = s.frequencyPenalty;
  encodeResponseFormat(req.responseFormat, g);
  const thinking = encodeThinking(req.reasoning, sameProtocol);
  if (thinking) g.thinkingConfig = thinking;
  return Object.keys(g).length > 0 ? g : undefined;
}

/** Extension fields merged specially (not copied as top-level fields). */
const MERGED = new Set(['generationConfig', 'tools', 'toolConfig']);

/** Looks up an extension field stored under its camelCase or snake_case name. */
function extension(fields: Json, camel: string): unknown {
  for (const [k, v] of Object.entries(fields)) if (camelCase(k) === camel) return v;
  return undefined;
}

/**
 * Encodes the upstream body. The model goes in the URL, not the body. Gemini reports usageMetadata on
 * every response, so nothing needs asking for it. Extension fields come back only for a Gemini client:
 * unknown top-level fields as they were, built-in tools appended to `tools`, and unknown
 * `generationConfig` / `toolConfig` members merged in.
 */
export function encodeGeminiRequest(req: CanonicalRequest, _upstreamModel: string): Record<string, unknown> {
  const sameProtocol = req.extensions.protocol === 'gemini';
  const ext: Json = sameProtocol ? req.extensions.fields : {};
  const body: Json = {};
  for (const [k, v] of Object.entries(ext)) if (!MERGED.has(camelCase(k))) body[k] = v;

  body.contents = encodeContents(req.messages, sameProtocol);
  // An empty text part is a 400 ("system_instruction.parts[0].data: required oneof field 'data' must
  // have one initialized field": `text: ""` is an unset proto field); whitespace is text to Gemini.
  const system = req.system.filter((p) => p.text !== '');
  if (system.length > 0) body.systemInstruction = { parts: system.map((p) => ({ text: p.text })) };

  const tools: Json[] = [];
  if (req.tools.length > 0) tools.push({ functionDeclarations: req.tools.map(encodeTool) });
  const builtIn = extension(ext, 'tools');
  if (Array.isArray(builtIn)) tools.push(...builtIn.filter(isObject));
  if (tools.length > 0) body.tools = tools;

  const extToolConfig = extension(ext, 'toolConfig');
  const toolConfig: Json = isObject(extToolConfig) ? { ...extToolConfig } : {};
  if (req.toolChoice && req.tools.length > 0 && toolConfig.functionCallingConfig === undefined) {
    toolConfig.functionCallingConfig = encodeToolChoice(req.toolChoice);
  }
  if (Object.keys(toolConfig).length > 0) body.toolConfig = toolConfig;

  const generationConfig = encodeGenerationConfig(req, sameProtocol, extension(ext, 'generationConfig'));
  if (generationConfig) body.generationConfig = generationConfig;
  return body;
}
