/**
 * Code execution in the Responses API, both ways (OpenAI API reference, "The response object" ›
 * output: `code_interpreter_call` {id, status, code, container_id, outputs: [{type: "logs", logs}
 * | {type: "image", url}] | null}; streaming events `response.code_interpreter_call.in_progress` /
 * `.interpreting` / `.completed`, `response.code_interpreter_call_code.delta` / `.done`, each
 * with `item_id` and `output_index`).
 */
import type { ServerToolPart } from '../canonical';
import { foreignItemId } from '../opaque';
import { codeRun } from '../server-tools';
import { isRecord, str, type Json } from './wire';

/** A `code_interpreter_call` item → a `code_execution` server tool part (its logs as output). */
export function serverToolFromCodeItem(item: Json): ServerToolPart {
  const logs = (Array.isArray(item.outputs) ? item.outputs : [])
    .filter((o): o is Json => isRecord(o) && o.type === 'logs' && typeof o.logs === 'string')
    .map((o) => o.logs as string);
  return {
    type: 'server_tool', id: str(item.id) ?? '', name: 'code_execution', arguments: JSON.stringify({ code: str(item.code) ?? '' }),
    ...(logs.length > 0 && { output: logs.join('') }),
    ...(item.status === 'failed' && { failed: true }),
  };
}

/**
 * A code run another provider did, as a `code_interpreter_call` item (bash commands too: the item
 * has no language); undefined for other server tools. `container_id` is unknown here: empty.
 */
export function codeInterpreterItem(p: ServerToolPart, status: 'in_progress' | 'completed'): Json | undefined {
  const run = codeRun(p);
  if (!run) return undefined;
  // Only another provider's run reaches this encoder (same-protocol replies pass through).
  const base = { id: foreignItemId('ci_', p.id), type: 'code_interpreter_call', container_id: '' };
  if (status === 'in_progress') return { ...base, status, code: '', outputs: null };
  return { ...base, status: p.failed ? 'failed' : 'completed', code: run.code, outputs: p.output !== undefined ? [{ type: 'logs', logs: p.output }] : [] };
}
