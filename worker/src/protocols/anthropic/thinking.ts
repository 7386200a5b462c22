/**
 * `thinking`, `output_config.effort`, `max_tokens` and sampling fields for an Anthropic upstream,
 * chosen per model (see model-traits.ts) so the request is not a 400:
 * - Manual thinking (`{type: "enabled", budget_tokens}`) needs 1024 ≤ budget < max_tokens, and
 *   thinking tokens count against max_tokens (SDK 1.14.0 `ThinkingConfigEnabled`: "Must be ≥1024
 *   and less than `max_tokens`"; docs "Extended thinking").
 * - Thinking is incompatible with a non-default `temperature`, with `top_k`, with `top_p` < 0.95,
 *   and with a forced `tool_choice` ("Thinking may not be enabled when tool_choice forces tool use").
 *
 * Mapping of the canonical reasoning config (what each client protocol asks is in README
 * "Reasoning across protocols"):
 * - Budget: the client's own (Anthropic `budget_tokens`, Gemini `thinkingBudget` > 0), else by
 *   effort (OpenAI `reasoning.effort` / `reasoning_effort`, Gemini `thinkingLevel`, Anthropic
 *   `output_config.effort`): minimal 1024, low 2048, medium 8192, high 24576, xhigh 32768; else
 *   (thinking asked with neither, e.g. Gemini `includeThoughts` alone or `thinkingBudget: -1`,
 *   dynamic) medium. Never below 1024.
 * - `max_tokens`: the client's (lowered to the model's published cap). It is raised to budget +
 *   min(client's max_tokens, 8192) — the client's cap becomes the answer's room — when the budget
 *   does not fit under it: a client's own budget ≥ max_tokens (valid in Gemini, where the budget
 *   is a hint), or a budget the gateway picked that leaves fewer than MIN_ANSWER_ROOM (1024)
 *   tokens to answer in (a client's own budget just under its max_tokens is kept: Claude Code
 *   sends budget 31999 with max_tokens 32000). With no client max_tokens:
 *   budget + 8192. Either way within the model's output cap (64000 for unknown Claude ids, 8192
 *   for non-Claude models); when the cap binds, the budget shrinks to leave the answer
 *   min(that room, half the cap), and thinking is dropped if that leaves under 1024.
 * - Adaptive models (Claude ≥ 4.6) take no budget: effort as is (minimal → low, xhigh → high
 *   before 4.7), or from a budget via `effortForBudget`; `max_tokens` the client's, else 16384.
 */
import { effortForBudget, type CanonicalRequest, type ReasoningConfig, type ReasoningEffort, type Sampling } from '../canonical';
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
  return effortForBudget(r.budgetTokens); // none: the model's default (high)
}

const display = (r: ReasoningConfig, traits: ModelTraits): Json =>
  traits.claude && r.includeThoughts !== undefined ? { display: r.includeThoughts ? 'summarized' : 'omitted' } : {};

/** Output tokens kept for the answer when the gateway picks max_tokens for a thinking budget. */
const ANSWER_ROOM = 8192;
/** Fewest answer tokens a client's max_tokens must leave beside the budget before it is raised. */
export const MIN_ANSWER_ROOM = 1024;

function enabledPlan(r: ReasoningConfig, traits: ModelTraits, maxTokens: number | undefined): ThinkingPlan {
  if (traits.adaptiveThinking) {
    return { thinking: { type: 'adaptive', ...display(r, traits) }, effort: adaptiveEffort(r, traits), maxTokens: maxTokens ?? ADAPTIVE_DEFAULT_MAX_TOKENS };
  }
  let budget = Math.max(MIN_BUDGET, r.budgetTokens ?? BUDGET_BY_EFFORT[r.effort ?? 'medium']);
  // A client's own budget under its max_tokens is kept even when close (Claude Code sends
  // budget_tokens 31999 with max_tokens 32000); a budget the gateway picked leaves room to answer.
  const fits = maxTokens !== undefined && (r.budgetTokens !== undefined ? budget < maxTokens : maxTokens - budget >= MIN_ANSWER_ROOM);
  if (!fits || maxTokens === undefined) {
    // Room for the budget and an answer: the client's cap (at most 8192) is the answer's room.
    const room = Math.max(1, Math.min(maxTokens ?? ANSWER_ROOM, ANSWER_ROOM));
    const cap = traits.outputCap ?? (traits.claude ? 64000 : traits.defaultMaxTokens);
    maxTokens = Math.min(budget + room, cap);
    budget = Math.min(budget, maxTokens - Math.min(room, Math.floor(maxTokens / 2)));
  }
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
