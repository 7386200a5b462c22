/** lib/proxy.ts: which proxy URLs are taken, how credentials are sealed, shown and kept; redaction needles. */
import { describe, expect, it } from 'vitest';
import { KeyVault } from '../../src/lib/crypto';
import { openProxy, parseProxyUrl, proxySecrets, sealProxy, shownProxy, type StoredProxy } from '../../src/lib/proxy';

const vault = new KeyVault('unit-test-encryption-key-0123456789');

describe('parseProxyUrl', () => {
  it('takes http, https, socks5, socks5h and socks4 with a host; fills in the default port', () => {
    expect(parseProxyUrl('http://proxy.lan')).toMatchObject({ scheme: 'http', url: 'http://proxy.lan:80', userinfo: null });
    expect(parseProxyUrl('https://proxy.lan/')).toMatchObject({ scheme: 'https', url: 'https://proxy.lan:443' });
    expect(parseProxyUrl('socks5://10.0.0.2')).toMatchObject({ scheme: 'socks5', url: 'socks5://10.0.0.2:1080' });
    expect(parseProxyUrl('SOCKS5H://u:p%40ss@[::1]:9050')).toMatchObject({ scheme: 'socks5h', url: 'socks5h://[::1]:9050', userinfo: 'u:p%40ss', user: 'u', password: 'p@ss' });
    expect(parseProxyUrl('socks4://10.0.0.2:1081')).toMatchObject({ scheme: 'socks4', url: 'socks4://10.0.0.2:1081' });
  });

  it('refuses other schemes, a missing host, a path, a query or a fragment, without repeating the URL', () => {
    for (const bad of ['ftp://h:21', 'socks5://', 'http://', 'http://h:3128/x', 'http://h:3128?a=1', 'http://h#f', 'h:3128', '']) {
      const r = parseProxyUrl(bad);
      expect(typeof r, bad).toBe('string');
    }
    expect(parseProxyUrl('ftp://user:hunter22@h:21')).not.toContain('hunter22');
  });
});

describe('sealProxy', () => {
  it('seals the credentials, shows the password as a hint, and keeps the stored proxy when the hint comes back', async () => {
    const stored = (await sealProxy(vault, 'socks5://bob:correct-horse-9@10.0.0.2:1080', null)) as StoredProxy;
    expect(stored.url).toBe('socks5://10.0.0.2:1080');
    expect(JSON.stringify(stored)).not.toContain('correct-horse');
    const shown = shownProxy(stored)!;
    expect(shown).toBe('socks5://bob:…se-9@10.0.0.2:1080');
    expect(await sealProxy(vault, shown, stored)).toBe(stored);
    expect(await openProxy(vault, stored)).toBe('socks5://bob:correct-horse-9@10.0.0.2:1080');
    // A short password shows nothing of itself.
    expect(shownProxy((await sealProxy(vault, 'http://u:pw@h:1', null)) as StoredProxy)).toBe('http://u:…@h:1');
  });

  it('clears on null or empty, stores a proxy without credentials as its URL, and reports a bad URL', async () => {
    expect(await sealProxy(vault, null, null)).toBeNull();
    expect(await sealProxy(vault, '  ', { url: 'http://h:1' })).toBeNull();
    expect(await sealProxy(vault, 'http://h:3128', null)).toEqual({ url: 'http://h:3128' });
    expect(await sealProxy(vault, 'gopher://h', null)).toMatchObject({ error: expect.stringContaining('gopher') });
  });
});

describe('proxySecrets', () => {
  it('gives the user-info and the password for redaction; nothing for a proxy without credentials', () => {
    expect(proxySecrets('http://bob:s3cret-pass@h:1')).toEqual(['bob:s3cret-pass', 's3cret-pass']);
    expect(proxySecrets('http://h:1')).toEqual([]);
    expect(proxySecrets(null)).toEqual([]);
  });
});
