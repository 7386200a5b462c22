/**
 * `thinking`, `output_config.effort`, `max_tokens` and sampling fields for an Anthropic upstream,
 * chosen per model (see model-traits.ts) so the request is not a 400:
 * - Manual thinking (`{type: "enabled", budget_tokens}`) needs 1024 ≤ budget < max_tokens
 *   (SDK 1.14.0 `ThinkingConfigEnabled`: "Must be ≥1024 and less than `max_tokens`").
 * - Thinking is incompatible with a non-default `temperature`, with `top_k`, with `top_p` < 0.95,
 *   and with a forced `tool_choice` ("Thinking may not be enabled when tool_choice forces tool use").
 *
 * Effort → manual budget (tokens), for models without adaptive thinking: minimal 1024, low 2048,
 * medium 8192, high 24576, xhigh 32768. A budget → effort, for adaptive models: < 4096 low,
 * < 16384 medium, else high. When the client set no max_tokens, manual thinking gets the budget
 * plus 8192 tokens to answer in, within the model's output cap (8192 for non-Claude models).
 */
import type { CanonicalRequest, ReasoningConfig, ReasoningEffort, Sampling } from '../canonical';
import { reasoningSnapshot, type Kept } from './kept';
import type { ModelTraits } from './model-traits';
import { isRecord, type Json } from './wire';

/** Manual thinking budgets by effort, tokens. */
export const BUDGET_BY_EFFORT: Record<ReasoningEffort, number> = {
  minimal: 1024, low: 2048, medium: 8192, high: 24576, xhigh: 32768,
};
/** Smallest manual budget Anthropic accepts, tokens. */
export const MIN_BUDGET = 1024;
/** `max_tokens` for adaptive thinking when the client gave none: room to think and answer, tokens. */
export const ADAPTIVE_DEFAULT_MAX_TOKENS = 16384;

export interface ThinkingPlan {
  /** The `thinking` field, or undefined to omit it. */
  thinking?: Json;
  /** `output_config.effort`, or undefined. */
  effort?: unknown;
  maxTokens: number;
}

function adaptiveEffort(r: ReasoningConfig, traits: ModelTraits): string | undefined {
  if (r.effort) {
    if (r.effort === 'minimal') return 'low';
    if (r.effort === 'xhigh') return traits.xhighEffort ? 'xhigh' : 'high';
    return r.effort;
  }
  if (r.budgetTokens === undefined) return undefined; // the model's default (high)
  return r.budgetTokens < 4096 ? 'low' : r.budgetTokens < 16384 ? 'medium' : 'high';
}

const display = (r: ReasoningConfig, traits: ModelTraits): Json =>
  traits.claude && r.includeThoughts !== undefined ? { display: r.includeThoughts ? 'summarized' : 'omitted' } : {};

/** Output tokens kept for the answer when the gateway picks max_tokens for a thinking budget. */
const ANSWER_ROOM = 8192;

function enabledPlan(r: ReasoningConfig, traits: ModelTraits, maxTokens: number | undefined): ThinkingPlan {
  if (traits.adaptiveThinking) {
    return { thinking: { type: 'adaptive', ...display(r, traits) }, effort: adaptiveEffort(r, traits), maxTokens: maxTokens ?? ADAPTIVE_DEFAULT_MAX_TOKENS };
  }
  let budget = Math.max(MIN_BUDGET, r.budgetTokens ?? BUDGET_BY_EFFORT[r.effort ?? 'medium']);
  if (maxTokens === undefined) {
    // Budget plus room to answer, within what the model takes (8192 for models not known).
    const cap = traits.outputCap ?? (traits.claude ? 64000 : traits.defaultMaxTokens);
    maxTokens = Math.min(budget + ANSWER_ROOM, cap);
    budget = Math.min(budget, maxTokens - Math.min(ANSWER_ROOM, Math.floor(maxTokens / 2)));
  }
  if (budget >= maxTokens) budget = maxTokens - 1;
  // A cap too small to think in: answer without thinking rather than be refused.
  if (budget < MIN_BUDGET) return { maxTokens };
  return { thinking: { type: 'enabled', budget_tokens: budget, ...display(r, traits) }, maxTokens };
}

/**
 * The thinking plan for `req` on a model with `traits`. For a request from an Anthropic client
 * whose reasoning the gateway left unchanged, the client's own `thinking` object (and effort, e.g.
 * `max`) is restored over the derived one, so fields canonical does not model survive.
 */
export function planThinking(req: CanonicalRequest, traits: ModelTraits, kept: Kept | undefined): ThinkingPlan {
  const r = req.reasoning;
  const maxTokens = req.sampling.maxTokens;
  let plan: ThinkingPlan;
  // A client's max_tokens above a model's published cap would be refused; the cap is the most it can get anyway.
  const asked = maxTokens !== undefined && traits.outputCap !== undefined ? Math.min(maxTokens, traits.outputCap) : maxTokens;
  if (!r) plan = { maxTokens: asked ?? traits.defaultMaxTokens };
  else if (!r.enabled) plan = { ...(!traits.disableRejected && { thinking: { type: 'disabled' } }), maxTokens: asked ?? traits.defaultMaxTokens };
  else plan = enabledPlan(r, traits, asked);
  if (!kept?.thinking || kept.thinking.decoded !== reasoningSnapshot(r)) return plan;
  return restoreClientThinking(plan, kept.thinking.raw, kept.effort, traits);
}

/**
 * An Anthropic client's own `thinking` (and `output_config.effort`) over the derived plan, for a
 * reasoning config the gateway left as decoded: fields canonical does not model survive (`display`,
 * new thinking types, effort `max`), and a client that sent effort without `thinking` gets no
 * `thinking` added. The derived `type` wins when it differs (the upstream model needs another one).
 */
function restoreClientThinking(plan: ThinkingPlan, raw: unknown, effort: unknown, traits: ModelTraits): ThinkingPlan {
  const out: ThinkingPlan = { ...plan };
  if (raw === undefined || raw === null) delete out.thinking;
  else if (isRecord(raw) && plan.thinking && raw.type === plan.thinking.type) out.thinking = { ...raw, ...plan.thinking };
  else if (isRecord(raw) && !['enabled', 'disabled', 'adaptive'].includes(raw.type as string)) out.thinking = { ...raw };
  if (effort !== undefined && traits.adaptiveThinking) out.effort = effort;
  return out;
}

/** True when the plan turns thinking on (manual or adaptive). */
export function thinkingOn(plan: ThinkingPlan): boolean {
  return plan.thinking !== undefined && plan.thinking.type !== 'disabled';
}

/**
 * Sampling fields the model and the thinking mode accept (others are dropped, not sent to fail):
 * none on models that removed them; with thinking, temperature only at 1, no top_k, top_p ≥ 0.95;
 * `top_p` dropped when `temperature` is set on models that take only one of the two.
 */
export function samplingFields(s: Sampling, traits: ModelTraits, thinking: boolean): Json {
  if (traits.samplingRemoved) return {};
  let temperature = s.temperature;
  let topP = s.topP;
  let topK = s.topK;
  if (thinking) {
    if (temperature !== 1) temperature = undefined;
    if (topP !== undefined && topP < 0.95) topP = undefined;
    topK = undefined;
  }
  if (traits.temperatureOrTopP && temperature !== undefined) topP = undefined;
  return {
    ...(temperature !== undefined && { temperature }),
    ...(topP !== undefined && { top_p: topP }),
    ...(topK !== undefined && { top_k: topK }),
  };
}
