/**
 * Anthropic's token-counting facts the gateway needs when it counts a prompt locally
 * (relay/count-local.ts), kept beside the rest of the Messages wire knowledge.
 */

/**
 * Tokens one image stands for when its size is unknown (the gateway does not decode images):
 * Anthropic bills width × height / 750, about 1,600 for the largest image it keeps unscaled
 * (1.15 megapixels; docs "Vision: calculate image costs").
 */
export const ANTHROPIC_IMAGE_TOKENS = 1600;

/**
 * The system prompt Anthropic adds when a request carries tools, tokens: 346 for the Claude 4
 * models with `tool_choice` auto or none, 313 with any or tool (docs "Tool use pricing and tokens";
 * older models range from 159 to 530).
 * @param forced the request forces a tool call (`tool_choice` any or tool)
 */
export function anthropicToolSystemTokens(forced: boolean): number {
  return forced ? 313 : 346;
}
