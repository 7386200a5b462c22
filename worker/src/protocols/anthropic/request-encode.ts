/**
 * Canonical request → Anthropic Messages request body for an upstream (Anthropic API reference,
 * "Messages" → "Create a Message"; SDK 1.14.0 `MessageCreateParamsBase`).
 */
import type { CanonicalRequest, ResponseFormat, TextPart, ToolDefinition } from '../canonical';
import { acceptedText, cacheControlField } from './encode-blocks';
import { encodeMessages, stripFinalThinking, systemPlacementValid, toolTurnLacksThinking, type WireMessage } from './encode-messages';
import { KEPT_FIELD, keptAligned, keptOf, type Kept } from './kept';
import { modelTraits, type ModelTraits } from './model-traits';
import { planThinking, samplingFields, thinkingOn, type ThinkingPlan } from './thinking';
import { isRecord, type Json } from './wire';

/** Longest `metadata.user_id` passed on; longer session hints from other protocols are dropped. */
const MAX_USER_ID = 256;

/** Instruction added to `system` when the model has no structured outputs (or for `json_object`). */
export function formatInstruction(format: ResponseFormat): string | undefined {
  if (format.type === 'json_object') return 'Respond only with a single valid JSON object, with no other text.';
  if (format.type !== 'json_schema') return undefined;
  return `Respond only with a single valid JSON value, with no other text, that conforms to this JSON Schema:\n${JSON.stringify(format.schema)}`;
}

function systemBlocks(parts: TextPart[]): Json[] {
  return parts.filter((p) => acceptedText(p.text)).map((p) => ({ type: 'text', text: p.text, ...cacheControlField(p.cacheControl) }));
}

/** Anthropic's input_schema must be an object schema (`type: "object"` at the root). */
function inputSchema(t: ToolDefinition): Json {
  const p = isRecord(t.parameters) ? t.parameters : {};
  return p.type === 'object' ? p : { ...p, type: 'object', ...(p.properties === undefined && { properties: {} }) };
}

function encodeTools(req: CanonicalRequest, kept: Kept | undefined): Json[] {
  const tools: Json[] = req.tools.map((t) => ({
    name: t.name,
    ...(t.description !== undefined && { description: t.description }),
    input_schema: inputSchema(t),
    ...(t.strict !== undefined && { strict: t.strict }),
    ...cacheControlField(t.cacheControl),
    ...(kept?.toolFields[t.name] ?? {}),
  }));
  // Server tools (web search, code execution, …) of an Anthropic client, back in their places.
  for (const s of [...(kept?.tools ?? [])].reverse()) {
    if (isRecord(s.tool)) tools.splice(Math.min(s.at, req.tools.length), 0, structuredClone(s.tool));
  }
  return tools;
}

function encodeToolChoice(req: CanonicalRequest, hasTools: boolean): Json | undefined {
  if (!hasTools) return undefined;
  const noParallel = req.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  switch (req.toolChoice?.type) {
    case undefined: return req.parallelToolCalls === false ? { type: 'auto', ...noParallel } : undefined;
    case 'auto': return { type: 'auto', ...noParallel };
    case 'none': return { type: 'none' };
    case 'required': return { type: 'any', ...noParallel };
    case 'tool': return { type: 'tool', name: req.toolChoice.name, ...noParallel };
  }
}

/**
 * Turns thinking off where Anthropic would refuse the request with it on: a forced tool choice,
 * or manual thinking in a tool loop whose assistant turn has no Anthropic-signed thinking block
 * (history from a client or provider that could not carry the signature). Adaptive thinking is
 * left on in a tool loop: the model may choose not to think, so a turn without thinking is valid.
 */
function settleThinking(plan: ThinkingPlan, forcedTool: boolean, messages: WireMessage[]): ThinkingPlan {
  if (!thinkingOn(plan)) return plan;
  const manual = plan.thinking?.type === 'enabled';
  if (forcedTool || (manual && toolTurnLacksThinking(messages))) return { effort: plan.effort, maxTokens: plan.maxTokens };
  return plan;
}

function outputConfig(req: CanonicalRequest, traits: ModelTraits, plan: ThinkingPlan, kept: Kept | undefined): Json | undefined {
  const f = req.responseFormat;
  const config: Json = {
    ...(kept?.outputConfig ?? {}),
    ...(plan.effort !== undefined && { effort: plan.effort }),
    ...(f?.type === 'json_schema' && traits.structuredOutputs && { format: { type: 'json_schema', schema: f.schema } }),
  };
  return Object.keys(config).length > 0 ? config : undefined;
}

/** Most `cache_control` breakpoints a request may carry ("A maximum of 4 blocks with cache_control may be provided"). */
export const MAX_CACHE_BREAKPOINTS = 4;

/**
 * Drops the earliest `cache_control` breakpoints beyond the allowed four (clients of other
 * protocols may mark more parts). The latest ones are kept: they cache the longest prefixes.
 * Prompt order is tools, system, messages; tool result contents count too.
 */
function limitCacheBreakpoints(tools: Json[], system: Json[], messages: WireMessage[]): void {
  const marked: Json[] = [];
  const visit = (b: Json) => {
    if (b.cache_control !== undefined) marked.push(b);
    if (Array.isArray(b.content)) b.content.filter(isRecord).forEach(visit);
  };
  [...tools, ...system].forEach(visit);
  for (const m of messages) if (Array.isArray(m.content)) m.content.forEach(visit);
  for (const b of marked.slice(0, Math.max(0, marked.length - MAX_CACHE_BREAKPOINTS))) delete b.cache_control;
}

/** The kept record usable for `req`: message-level entries only while the conversation is as decoded. */
function usableKept(req: CanonicalRequest): Kept | undefined {
  const kept = keptOf(req);
  if (!kept || keptAligned(kept, req)) return kept;
  return { ...kept, messages: [], blocks: [], raw: [], messageFields: [], movedSystemFrom: undefined };
}

/**
 * Messages, with an Anthropic client's mid-conversation system messages in place where the model
 * takes them and their placement is valid; else their text goes to `system` (canonical `system`
 * already holds it), which is what `systemInPlace: false` tells the caller.
 */
function chooseMessages(req: CanonicalRequest, kept: Kept | undefined, traits: ModelTraits): { messages: WireMessage[]; systemInPlace: boolean } {
  if (kept?.movedSystemFrom !== undefined && traits.midConversationSystem) {
    const inPlace = encodeMessages(req, kept, true);
    if (systemPlacementValid(inPlace)) return { messages: inPlace, systemInPlace: true };
  }
  return { messages: encodeMessages(req, kept, false), systemInPlace: false };
}

/** System blocks, plus the response-format instruction when the model has no structured outputs. */
function encodeSystem(req: CanonicalRequest, kept: Kept | undefined, systemInPlace: boolean, traits: ModelTraits): Json[] {
  const parts = systemInPlace && kept?.movedSystemFrom !== undefined ? req.system.slice(0, kept.movedSystemFrom) : req.system;
  const system = systemBlocks(parts);
  const f = req.responseFormat;
  const instruction = f && !(f.type === 'json_schema' && traits.structuredOutputs) ? formatInstruction(f) : undefined;
  if (instruction) system.push({ type: 'text', text: instruction });
  return system;
}

/**
 * The request body for an Anthropic upstream serving `upstreamModel`. Fields the model would
 * refuse are adapted (see thinking.ts, model-traits.ts); `extensions.fields` of an Anthropic
 * client come back unchanged, the kept blocks and tools in their places. Nothing is needed to get
 * usage: Anthropic streams always carry it (`message_start` and `message_delta`).
 */
export function encodeRequest(req: CanonicalRequest, upstreamModel: string): Record<string, unknown> {
  const traits = modelTraits(upstreamModel);
  const kept = usableKept(req);
  const chosen = chooseMessages(req, kept, traits);
  let messages = chosen.messages;
  const tools = encodeTools(req, kept);
  const forced = req.toolChoice?.type === 'required' || req.toolChoice?.type === 'tool';
  const plan = settleThinking(planThinking(req, traits, kept), forced && tools.length > 0, messages);
  if (!thinkingOn(plan)) messages = stripFinalThinking(messages);
  const system = encodeSystem(req, kept, chosen.systemInPlace, traits);
  limitCacheBreakpoints(tools, system, messages);

  const body: Record<string, unknown> = { model: upstreamModel, max_tokens: plan.maxTokens, messages };
  if (system.length > 0) body.system = system;
  if (tools.length > 0) body.tools = tools;
  const toolChoice = encodeToolChoice(req, tools.length > 0);
  if (toolChoice) body.tool_choice = toolChoice;
  if (plan.thinking) body.thinking = plan.thinking;
  const config = outputConfig(req, traits, plan, kept);
  if (config) body.output_config = config;
  Object.assign(body, samplingFields(req.sampling, traits, thinkingOn(plan)));
  if (req.sampling.stop && req.sampling.stop.length > 0) body.stop_sequences = req.sampling.stop;
  if (req.user && req.user.length <= MAX_USER_ID) body.metadata = { user_id: req.user };
  if (req.stream) body.stream = true;
  if (req.extensions.protocol === 'anthropic') {
    for (const [k, v] of Object.entries(req.extensions.fields)) if (k !== KEPT_FIELD) body[k] = v;
  }
  return body;
}
