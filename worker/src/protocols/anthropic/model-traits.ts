/**
 * What an upstream Claude model accepts, read from its id. The Messages API changed per model
 * generation and a wrong field is a 400, so the request encoder asks here before it writes
 * `thinking`, `output_config` and sampling fields. Sources:
 * - Adaptive thinking (`thinking: {type: "adaptive"}` + `output_config.effort`) exists from
 *   Claude 4.6; manual `{type: "enabled", budget_tokens}` is deprecated on 4.6 and rejected with a
 *   400 from Opus 4.7 on (Opus 4.8, Sonnet 5, Opus 5, Fable 5, Mythos…). Older models (Sonnet 4.5,
 *   Opus 4.5, Haiku 4.5, …) know only `enabled` + `budget_tokens` (docs "Adaptive thinking",
 *   "Extended thinking"; AWS Bedrock "Adaptive thinking" page).
 * - `temperature`, `top_p` and `top_k` are rejected ("`temperature` is deprecated for this model")
 *   from Opus 4.7 on; Claude 4.1+ models reject `temperature` together with `top_p`.
 * - Fable 5 and Mythos models only run adaptive thinking: `thinking: {type: "disabled"}` is a 400.
 * - Structured outputs (`output_config.format`) exist from Claude 4.5 (and Opus 4.1).
 * - Mid-conversation `role: "system"` messages exist from Claude Opus 4.8 ("available on Claude
 *   Opus 4.8 only", docs "Mid-conversation system messages"; Claude Code sends them to 5.x models);
 *   other models answer them with a 400.
 *
 * Ids that are not recognisably Claude (Anthropic-compatible third-party endpoints, custom names)
 * get the long-standing 2023-06-01 behaviour: manual thinking budgets, all sampling fields.
 */

/** Capabilities that change the request body. */
export interface ModelTraits {
  /** A recognised Claude id. */
  claude: boolean;
  /** Takes `thinking: {type: "adaptive"}` and `output_config.effort` (Claude ≥ 4.6). */
  adaptiveThinking: boolean;
  /** Rejects `thinking: {type: "enabled", budget_tokens}` (Claude ≥ 4.7). */
  budgetRemoved: boolean;
  /** Rejects `temperature`, `top_p`, `top_k` (Claude ≥ 4.7). */
  samplingRemoved: boolean;
  /** Rejects `temperature` and `top_p` in the same request (Claude ≥ 4.1). */
  temperatureOrTopP: boolean;
  /** Rejects `thinking: {type: "disabled"}`; omit the field instead (Claude ≥ 4.7, Fable, Mythos). */
  disableRejected: boolean;
  /** Takes `output_config.format` (structured outputs; Claude ≥ 4.5 and Opus 4.1). */
  structuredOutputs: boolean;
  /** Takes `output_config.effort: "xhigh"` (Claude ≥ 4.7); older adaptive models get `high`. */
  xhighEffort: boolean;
  /** Takes `role: "system"` messages inside `messages` (Claude ≥ 4.8). */
  midConversationSystem: boolean;
  /** A safe default `max_tokens` when the client gave none. */
  defaultMaxTokens: number;
  /**
   * Most output tokens the model takes (a larger `max_tokens` is a 400), for the long-published
   * models before Claude 4.6; undefined when not known (newer models, other vendors).
   */
  outputCap?: number;
}

/** Published output caps (docs "Models overview"): Claude 3 4096, 3.5 8192, 3.7 64000, Opus 4/4.1 32000, other 4.x 64000. */
function outputCap(family: string, v: number): number | undefined {
  if (v < 3.5) return 4096;
  if (v < 3.7) return 8192;
  if (v < 4) return 64000;
  if (v >= 4.6) return undefined;
  return family === 'opus' && v < 4.5 ? 32000 : 64000;
}

const FAMILIES = 'opus|sonnet|haiku|fable|mythos';
/** `claude-opus-4-7`, `claude-sonnet-4-5-20250929`, `anthropic.claude-opus-4-8`, `claude-opus-4.7`. */
const NEW_STYLE = new RegExp(`claude-(${FAMILIES})-(\\d+)(?:[-.](\\d)(?!\\d))?`, 'i');
/** `claude-3-7-sonnet-20250219`, `claude-3-haiku-20240307`. */
const OLD_STYLE = new RegExp(`claude-(\\d+)(?:[-.](\\d))?-(${FAMILIES})`, 'i');

interface ParsedId {
  family: string;
  /** major + minor / 10, e.g. 4.7. */
  version: number;
}

function parseModelId(model: string): ParsedId | undefined {
  const m = NEW_STYLE.exec(model);
  if (m) {
    const family = m[1]!.toLowerCase();
    // `claude-mythos-preview` has no number; it behaves like the 4.7 generation.
    return { family, version: Number(m[2]) + Number(m[3] ?? 0) / 10 };
  }
  const o = OLD_STYLE.exec(model);
  if (o) return { family: o[3]!.toLowerCase(), version: Number(o[1]) + Number(o[2] ?? 0) / 10 };
  if (/claude-mythos/i.test(model)) return { family: 'mythos', version: 4.7 };
  return undefined;
}

/** Traits of an upstream model id. */
export function modelTraits(model: string): ModelTraits {
  const id = parseModelId(model);
  if (!id) {
    return {
      claude: false, adaptiveThinking: false, budgetRemoved: false, samplingRemoved: false, temperatureOrTopP: false,
      disableRejected: false, structuredOutputs: false, xhighEffort: false, midConversationSystem: false, defaultMaxTokens: 8192,
    };
  }
  const v = id.version;
  const alwaysThinks = id.family === 'fable' || id.family === 'mythos';
  return {
    claude: true,
    adaptiveThinking: v >= 4.6 || alwaysThinks,
    budgetRemoved: v >= 4.7 || alwaysThinks,
    samplingRemoved: v >= 4.7 || alwaysThinks,
    temperatureOrTopP: v >= 4.1,
    disableRejected: v >= 4.7 || alwaysThinks,
    structuredOutputs: v >= 4.5 || (id.family === 'opus' && v >= 4.1),
    xhighEffort: v >= 4.7 || alwaysThinks,
    midConversationSystem: v >= 4.8,
    // Claude 3 Haiku / Opus / Sonnet cap output at 4096 tokens; every later model takes 8192.
    defaultMaxTokens: v < 3.5 ? 4096 : 8192,
    outputCap: outputCap(id.family, v),
  };
}
