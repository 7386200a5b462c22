/**
 * A small octopus export (our own, written for these tests), shaped as octopus' source defines its
 * database dump (github.com/bestruirui/octopus):
 * - internal/op/backup.go (`DBExportAll`, dump version 2: channels, groups, group_items,
 *   llm_infos, api_keys, settings; stats tables only with include_stats);
 * - internal/model/channel.go (Channel, ChannelKey, BaseUrl, CustomHeader JSON tags);
 * - internal/model/group.go (Group, GroupItem; modes 1 round-robin … 4 weighted);
 * - internal/model/apikey.go (APIKey: api_key kept as is, expire_at unix s, max_cost USD);
 * - internal/model/llm.go (LLMInfo: USD per 1M tokens, `call` per request);
 * - internal/model/setting.go (Setting key/value text; the keys used below);
 * - internal/transformer/outbound (OutboundType: 0 chat, 1 responses, 2 anthropic, 3 gemini,
 *   4 volcengine, 5 embedding, later values vary by version).
 * It holds what maps (types 0 and 2, keys, headers, models, groups with items, a plain client key,
 * prices, settings) and what does not (an unknown channel type, a second base URL, a `call`
 * price, an octopus-encrypted client key, a group name with a space, a stats table).
 */
export function octopusExport(baseUrl: string, clientKey: string, upstreamKey: string) {
  return {
    version: 2,
    exported_at: '2026-11-30T10:00:00Z',
    include_logs: false,
    include_stats: true,
    channels: [
      {
        id: 3, name: 'oc-openai', type: 0, enabled: true,
        base_urls: [{ url: `${baseUrl}/v1`, delay: 40 }, { url: 'https://backup.example.com/v1', delay: 300 }],
        keys: [
          { id: 11, channel_id: 3, enabled: true, channel_key: upstreamKey, status_code: 0, last_use_time_stamp: 0, total_cost: 0, remark: 'main' },
          { id: 12, channel_id: 3, enabled: false, channel_key: 'sk-oc-second-0000', status_code: 429, last_use_time_stamp: 0, total_cost: 1.5, remark: '' },
        ],
        model: 'gpt-4.1-nano,gpt-4.1-mini', custom_model: 'my-model', proxy: false, auto_sync: true, auto_group: 0,
        custom_header: [{ header_key: 'X-Org-Token', header_value: 'org-secret-123456' }, { header_key: 'X-Team', header_value: 'blue' }],
        param_override: '{"max_tokens": 321}', channel_proxy: null, request_rewrite: null, match_regex: '',
      },
      {
        id: 4, name: 'oc-claude', type: 2, enabled: true, base_urls: [{ url: 'https://api.anthropic.com/v1', delay: 0 }],
        keys: [{ id: 13, channel_id: 4, enabled: true, channel_key: 'sk-ant-oc-0000000001', status_code: 0, last_use_time_stamp: 0, total_cost: 0, remark: '' }],
        model: 'claude-haiku-4-5', custom_model: '', proxy: false, auto_sync: false, auto_group: 0, custom_header: [], param_override: null, channel_proxy: null, match_regex: null,
      },
      {
        id: 5, name: 'oc-rerank', type: 42, enabled: true, base_urls: [{ url: 'https://rerank.example.com', delay: 0 }],
        keys: [{ id: 14, channel_id: 5, enabled: true, channel_key: 'rk-1', status_code: 0, last_use_time_stamp: 0, total_cost: 0, remark: '' }],
        model: 'rerank-1', custom_model: '', proxy: false, auto_sync: false, auto_group: 0, custom_header: null, param_override: null, channel_proxy: null, match_regex: null,
      },
    ],
    groups: [
      { id: 7, name: 'oc-gpt', mode: 3, match_regex: '^oc-gpt-.*$', first_token_time_out: 30, session_keep_time: 600 },
      { id: 8, name: 'with space', mode: 1, match_regex: '', first_token_time_out: 0, session_keep_time: 0 },
      { id: 9, name: 'oc-mixed', mode: 4, match_regex: '', first_token_time_out: 0, session_keep_time: 0 },
    ],
    group_items: [
      { id: 1, group_id: 7, channel_id: 3, model_name: 'gpt-4.1-nano', priority: 1, weight: 0 },
      { id: 2, group_id: 7, channel_id: 4, model_name: 'claude-haiku-4-5', priority: 2, weight: 0 },
      { id: 3, group_id: 9, channel_id: 3, model_name: 'gpt-4.1-mini', priority: 0, weight: 3 },
      { id: 4, group_id: 9, channel_id: 5, model_name: 'rerank-1', priority: 0, weight: 1 },
    ],
    llm_infos: [
      { name: 'gpt-4.1-nano', input: 0.1, output: 0.4, cache_read: 0.025, cache_write: 0 },
      { name: 'claude-haiku-4-5', input: 1, output: 5, cache_read: 0.1, cache_write: 1.25, call: 0.002 },
    ],
    api_keys: [
      { id: 21, name: 'oc-client', api_key: clientKey, enabled: true, expire_at: 0, max_cost: 12.5, supported_models: 'oc-gpt, oc-mixed', rate_limit_rpm: 60 },
      { id: 22, name: 'oc-sealed', api_key: 'enc:Zm9vYmFy', enabled: true, expire_at: 0, max_cost: 0, supported_models: '', rate_limit_rpm: 0 },
    ],
    settings: [
      { key: 'proxy_url', value: '' },
      { key: 'stats_save_interval', value: '2' },
      { key: 'relay_log_keep_period', value: '14' },
      { key: 'circuit_breaker_threshold', value: '4' },
      { key: 'cors_allow_origins', value: '*' },
    ],
    stats_daily: [{ date: '20261129', input_token: 1 }],
  };
}
