/**
 * The non-conversation parts of a Responses request (OpenAI API reference, "Create a model
 * response"): `tools` (function, custom, namespace; built-ins kept for a same-protocol upstream),
 * `tool_choice`, `reasoning`, `text.format` and sampling.
 */
import type {
  ReasoningConfig, ReasoningEffort, ResponseFormat, Sampling, ToolChoice, ToolDefinition,
} from '../canonical';
import { customToolParameters, flatToolName, invalid, isRecord, str, type Json, type NamespaceTable } from './wire';

const EFFORTS = new Set<ReasoningEffort>(['minimal', 'low', 'medium', 'high', 'xhigh']);

/** Function and custom tools; namespaced ones flattened into `namespaces`; others into `builtins`. */
export function decodeTools(raw: unknown, namespaces: NamespaceTable, builtins: unknown[]): ToolDefinition[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) invalid('tools', 'array');
  const out: ToolDefinition[] = [];
  raw.forEach((tool, i) => {
    if (!isRecord(tool)) invalid(`tools.${i}`, 'object');
    if (tool.type === 'function' || tool.type === 'custom') {
      out.push(decodeTool(tool, `tools.${i}`));
    } else if (tool.type === 'namespace' && typeof tool.name === 'string' && Array.isArray(tool.tools)) {
      const ns = tool.name;
      tool.tools.forEach((inner, j) => {
        if (!isRecord(inner) || (inner.type !== 'function' && inner.type !== 'custom')) return;
        const def = decodeTool(inner, `tools.${i}.tools.${j}`);
        const flat = flatToolName(ns, def.name);
        namespaces[flat] = { namespace: ns, name: def.name };
        out.push({ ...def, name: flat });
      });
    } else {
      builtins.push(tool);
    }
  });
  return out;
}

function decodeTool(tool: Json, at: string): ToolDefinition {
  if (typeof tool.name !== 'string' || tool.name === '') invalid(`${at}.name`, 'a non-empty string');
  const def: ToolDefinition = {
    name: tool.name,
    parameters: tool.type === 'custom' ? customToolParameters(tool.format)
      : isRecord(tool.parameters) ? tool.parameters : { type: 'object', properties: {} },
  };
  if (typeof tool.description === 'string') def.description = tool.description;
  if (tool.type === 'custom') def.kind = 'custom';
  else if (typeof tool.strict === 'boolean') def.strict = tool.strict;
  return def;
}

/** `auto` | `none` | `required` | `{type: function|custom, name}`; other forced choices stay as extensions. */
export function decodeToolChoice(raw: unknown, fields: Record<string, unknown>): ToolChoice | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'auto' || raw === 'none' || raw === 'required') return { type: raw };
  if (isRecord(raw)) {
    if ((raw.type === 'function' || raw.type === 'custom') && typeof raw.name === 'string') {
      return { type: 'tool', name: flatToolName(str(raw.namespace), raw.name) };
    }
    fields.tool_choice = raw; // allowed_tools, hosted tools: same-protocol only
    return undefined;
  }
  return invalid('tool_choice', '"auto", "none", "required" or an object');
}

/** `reasoning: {effort, summary}`: effort `none` turns thinking off; a summary asks for visible thoughts. */
export function decodeReasoning(raw: unknown): ReasoningConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) invalid('reasoning', 'object');
  if (raw.effort === 'none') return { enabled: false };
  const config: ReasoningConfig = { enabled: true, includeThoughts: raw.summary !== undefined && raw.summary !== null };
  if (typeof raw.effort === 'string' && EFFORTS.has(raw.effort as ReasoningEffort)) config.effort = raw.effort as ReasoningEffort;
  return config;
}

/** `text.format` → responseFormat; other `text` keys (e.g. `verbosity`) stay as an extension. */
export function decodeTextFormat(raw: unknown, fields: Record<string, unknown>): ResponseFormat | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) invalid('text', 'object');
  const { format, ...rest } = raw;
  if (Object.keys(rest).length > 0) fields.text = rest;
  if (format === undefined || format === null) return undefined;
  if (!isRecord(format)) invalid('text.format', 'object');
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      if (!isRecord(format.schema)) invalid('text.format.schema', 'object');
      const rf: ResponseFormat = { type: 'json_schema', name: str(format.name) ?? 'response', schema: format.schema };
      if (typeof format.strict === 'boolean') rf.strict = format.strict;
      if (typeof format.description === 'string') rf.description = format.description;
      return rf;
    }
    default:
      return invalid('text.format.type', '"text", "json_object" or "json_schema"');
  }
}

/** `max_output_tokens`, `temperature`, `top_p` (numbers or null). */
export function decodeSampling(body: Json): Sampling {
  const sampling: Sampling = {};
  const number = (key: string): number | undefined => {
    const v = body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) invalid(key, 'number');
    return v;
  };
  const maxTokens = number('max_output_tokens');
  if (maxTokens !== undefined) sampling.maxTokens = maxTokens;
  const temperature = number('temperature');
  if (temperature !== undefined) sampling.temperature = temperature;
  const topP = number('top_p');
  if (topP !== undefined) sampling.topP = topP;
  return sampling;
}
