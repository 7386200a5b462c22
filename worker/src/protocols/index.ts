/** Registry: protocol name → codec. A new protocol is one folder plus one line here. */
import { anthropicCodec } from './anthropic/index';
import type { ProtocolName } from './canonical';
import type { ProtocolCodec } from './codec';
import { geminiCodec } from './gemini/index';
import { openaiChatCodec } from './openai-chat/index';
import { openaiResponsesCodec } from './openai-responses/index';

const CODECS: Record<ProtocolName, ProtocolCodec> = {
  'openai-chat': openaiChatCodec,
  'openai-responses': openaiResponsesCodec,
  anthropic: anthropicCodec,
  gemini: geminiCodec,
};

/** The codec of a protocol (also of a channel type: the names are the same). */
export function codecFor(name: ProtocolName): ProtocolCodec {
  return CODECS[name];
}
