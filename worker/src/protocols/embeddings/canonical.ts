/** The canonical embeddings request and response every embeddings codec maps to. */

export interface EmbedRequest {
  /** The group name the client asked for. */
  model: string;
  /** Texts to embed, in order. */
  inputs: string[];
  /** Requested vector size (OpenAI `dimensions`, Gemini `outputDimensionality`). */
  dimensions?: number;
  /** Gemini task type (RETRIEVAL_QUERY, …): only meaningful to Gemini. */
  taskType?: string;
}

export interface EmbedResponse {
  /** One vector per input, same order. */
  vectors: number[][];
  /** Input tokens counted by the upstream (0 when it does not say). */
  inputTokens: number;
}
