/**
 * `POST /v1/chat/completions` (OpenAI API reference, "Create chat completion").
 * Same protocol in and out: the body goes upstream with only `model` rewritten, and the upstream
 * reply comes back byte for byte.
 */
import * as z from 'zod';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { gatewayError } from '../protocols/canonical';
import { authHeaders, chatCompletionsUrl } from '../protocols/openai-chat/channel';
import { authenticateClient, keyAllowsGroup } from './auth';
import { dispatch } from './dispatch';
import { openAIErrorResponse, passThrough } from './respond';

/** The fields the gateway itself reads; everything else is forwarded untouched. */
const ChatRequestHead = z.looseObject({
  model: z.string().min(1),
  stream: z.boolean().optional(),
});

/** Handles one chat completion request. */
export async function handleChatCompletions(c: Context<AppEnv>): Promise<Response> {
  const p = c.get('platform');
  const auth = await authenticateClient(p, c.req.raw);
  if ('error' in auth) return openAIErrorResponse(auth.error);

  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    return openAIErrorResponse(gatewayError(400, 'invalid_request', 'invalid_json', 'The request body is not valid JSON.'));
  }
  const head = ChatRequestHead.safeParse(body);
  if (!head.success) {
    const issue = head.error.issues[0]!;
    const param = issue.path.join('.') || undefined;
    return openAIErrorResponse(gatewayError(400, 'invalid_request', 'invalid_request', `${param ?? 'body'}: ${issue.message}`, { param }));
  }
  const model = head.data.model;

  const route = await p.store.findRoute(model);
  if (!route || !route.group.enabled) {
    return openAIErrorResponse(gatewayError(404, 'not_found', 'model_not_found', `The model \`${model}\` does not exist or you do not have access to it.`, { param: 'model' }));
  }
  if (!keyAllowsGroup(auth.key, route.group.name)) {
    return openAIErrorResponse(gatewayError(403, 'permission', 'model_not_allowed', `This API key may not use the model \`${model}\`.`, { param: 'model' }));
  }

  const request = head.data;
  const stream = request.stream === true;
  const result = await dispatch({
    platform: p,
    route,
    clientSignal: c.req.raw.signal,
    prepare: ({ channel, member, apiKey }) => {
      if (channel.type !== 'openai-chat') return `channel ${channel.id} speaks ${channel.type}; conversion from openai-chat is not available`;
      return {
        url: chatCompletionsUrl(channel.baseUrl),
        headers: {
          'content-type': 'application/json',
          accept: stream ? 'text/event-stream' : 'application/json',
          ...authHeaders(apiKey),
          ...channel.headers,
        },
        body: JSON.stringify({ ...request, model: member.upstreamModel }),
      };
    },
  });
  p.defer(p.groups.report(route.group.id, result.outcomes));
  p.defer(p.store.touchApiKey(auth.key.id, p.now()));

  if (result.kind === 'committed') return passThrough(result.response);
  // Only the status goes to the client: upstream error bodies can echo parts of the channel key.
  // Without a status the reason is the gateway's own words (network error, timeout), safe to show.
  const detail = result.outcomes.length === 0 ? ' The group has no available member.'
    : ` Last upstream answer: ${result.lastStatus ? `HTTP ${result.lastStatus}` : `no response (${result.lastError})`}.`;
  return openAIErrorResponse(gatewayError(503, 'overloaded', 'no_available_channel', `No upstream channel could serve model \`${model}\`.${detail}`));
}
