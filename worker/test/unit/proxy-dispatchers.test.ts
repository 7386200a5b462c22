/** node/proxy-dispatchers.ts: one dispatcher per proxy URL, reused; idle ones closed when a new one is made. */
import { describe, expect, it } from 'vitest';
import { IDLE_CLOSE_MS, ProxyDispatchers } from '../../src/node/proxy-dispatchers';

describe('ProxyDispatchers', () => {
  it('makes one dispatcher per URL, reuses it, and closes those unused for IDLE_CLOSE_MS when a new one is made', async () => {
    let now = 0;
    const d = new ProxyDispatchers({ keepAliveTimeoutMs: 1000, now: () => now });
    const a = d.get('http://127.0.0.1:3128');
    expect(d.get('http://127.0.0.1:3128')).toBe(a);
    d.get('socks5://u:p@127.0.0.1:1080');
    expect(d.size).toBe(2);
    now += IDLE_CLOSE_MS - 1;
    d.get('http://127.0.0.1:3128'); // used again: stays
    now += 2;
    d.get('socks5h://127.0.0.1:1081');
    expect(d.size).toBe(2); // the SOCKS one, idle for IDLE_CLOSE_MS + 1, was closed
    expect(() => d.get('ftp://h:21')).toThrow(/invalid proxy URL/);
    await d.destroy();
    expect(d.size).toBe(0);
  });
});
