/** relay/deadline.ts: the request deadline aborts on the client or on time, and lets go of both when released. */
import { describe, expect, it } from 'vitest';
import { requestDeadline } from '../../src/relay/deadline';

describe('requestDeadline', () => {
  it('aborts with the client reason when the client leaves', () => {
    const client = new AbortController();
    const d = requestDeadline(client.signal, 60_000);
    client.abort(new Error('gone'));
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).message).toBe('gone');
  });

  it('aborts with a TimeoutError when the time runs out', async () => {
    const d = requestDeadline(new AbortController().signal, 20);
    await new Promise((ok) => d.signal.addEventListener('abort', ok));
    expect((d.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('starts aborted for a client that already left', () => {
    const client = new AbortController();
    client.abort();
    expect(requestDeadline(client.signal, 60_000).signal.aborted).toBe(true);
  });

  it('once released, neither the client nor the timer reaches it, and the client signal keeps no listener', async () => {
    const client = new AbortController();
    const added: string[] = [];
    const removed: string[] = [];
    const add = client.signal.addEventListener.bind(client.signal);
    const remove = client.signal.removeEventListener.bind(client.signal);
    client.signal.addEventListener = ((type: string, fn: never, o: never) => { added.push(type); add(type, fn, o); }) as never;
    client.signal.removeEventListener = ((type: string, fn: never, o: never) => { removed.push(type); remove(type, fn, o); }) as never;
    const d = requestDeadline(client.signal, 30);
    d.release();
    d.release();
    expect(added).toEqual(['abort']);
    expect(removed).toEqual(['abort']);
    client.abort();
    await new Promise((ok) => setTimeout(ok, 80));
    expect(d.signal.aborted).toBe(false);
  });
});
