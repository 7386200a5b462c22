/**
 * Gemini's token-counting facts the gateway needs when it counts a prompt locally
 * (relay/count-local.ts). Gemini documents no system prompt added for tools.
 */

/**
 * Tokens one image stands for when its size is unknown (the gateway does not decode images):
 * Gemini bills an image of up to 384 px a side as 258 tokens (Gemini API docs "Token counting").
 */
export const GEMINI_IMAGE_TOKENS = 258;
