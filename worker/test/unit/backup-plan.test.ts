/** Backup import planning (backup/plan.ts) and passphrase sealing (backup/passphrase.ts), without a store. */
import { describe, expect, it } from 'vitest';
import type { ConfigImage, PlainChannel, PlainGroup, PlainSettings } from '../../src/backup/image';
import { PassphraseBox, WrongPassphraseError } from '../../src/backup/passphrase';
import { InvalidImportError, planImport } from '../../src/backup/plan';
import { DEFAULT_SETTINGS } from '../../src/settings';

const settings: PlainSettings = { ...DEFAULT_SETTINGS, proxy: null };

function ch(id: number, name: string, over: Partial<PlainChannel> = {}): PlainChannel {
  return { id, name, type: 'openai-chat', baseUrl: 'https://api.example.com/v1', keys: [{ id: 'k', key: `sk-${name}-000000`, enabled: true }], models: [], headers: {}, modelFilter: null, overrides: null, proxy: null, healthCheck: null, enabled: true, ...over };
}

function grp(id: number, name: string, channelId: number, over: Partial<PlainGroup> = {}): PlainGroup {
  return { id, name, mode: 'failover', settings: {}, aliases: [], patterns: [], enabled: true, members: [{ channelId, upstreamModel: 'm', priority: 0, weight: 1, overrides: null, enabled: true }], ...over };
}

const image = (over: Partial<Omit<ConfigImage, 'settings'>> = {}): ConfigImage & { settings: PlainSettings } => ({ channels: [], groups: [], apiKeys: [], prices: [], settings, ...over });

describe('planImport', () => {
  const current = image({ channels: [ch(1, 'a'), ch(2, 'b')], groups: [grp(1, 'g', 1)] });

  it('matches by name (keeping the stored id), gives new rows their own id when free and the next free one when not', () => {
    const incoming = image({
      channels: [ch(50, 'a'), ch(2, 'c'), ch(7, 'd')],
      groups: [grp(9, 'g', 50), grp(1, 'h', 2)],
    });
    const { plan, changes } = planImport(current, incoming, 'merge');
    expect(plan.channels.update).toEqual([]);
    expect(plan.channels.create.map((c) => [c.name, c.id])).toEqual([['c', 3], ['d', 7]]);
    // Members follow: file channel 50 is stored channel 1 (a), file channel 2 is the new channel 3 (c).
    expect(plan.groups.create.map((g) => [g.name, g.id, g.members[0]!.channelId])).toEqual([['h', 2, 3]]);
    expect(changes.channels).toEqual({ create: 2, update: 0, delete: 0, unchanged: 1 });
    expect(changes.groups).toEqual({ create: 1, update: 0, delete: 0, unchanged: 1 });
  });

  it('replace deletes what the file lacks; merge never does', () => {
    const incoming = image({ channels: [ch(1, 'a', { models: ['x'] })] });
    expect(planImport(current, incoming, 'merge').changes.channels).toEqual({ create: 0, update: 1, delete: 0, unchanged: 0 });
    const r = planImport(current, incoming, 'replace');
    expect(r.changes.channels).toEqual({ create: 0, update: 1, delete: 1, unchanged: 0 });
    expect(r.plan.channels.delete).toEqual([2]);
    expect(r.plan.groups.delete).toEqual([1]);
  });

  it('refuses the whole file with every problem named', () => {
    const incoming = image({
      channels: [ch(1, 'a'), ch(2, 'a', { baseUrl: 'ftp://x' })],
      groups: [grp(5, 'g2', 99)],
    });
    try {
      planImport(current, incoming, 'merge');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidImportError);
      const problems = (err as InvalidImportError).problems.join('\n');
      expect(problems).toMatch(/channel name "a" appears twice/);
      expect(problems).toMatch(/baseUrl must be an http\(s\) URL/);
      expect(problems).toMatch(/channelId 99 is no channel of the file/);
    }
  });

  it('refuses an alias that another group already answers to', () => {
    const incoming = image({ channels: [ch(1, 'a')], groups: [grp(3, 'new', 1, { aliases: ['g'] })] });
    expect(() => planImport(current, incoming, 'merge')).toThrow(/aliases\.0: "g" is already the name of group "g"/);
    // Under replace, the group "g" goes away: no clash.
    expect(planImport(current, incoming, 'replace').changes.groups).toMatchObject({ create: 1, delete: 1 });
  });
});

describe('PassphraseBox', () => {
  it('opens what it sealed; another passphrase or an altered value does not open', async () => {
    const box = await PassphraseBox.create('a long passphrase here');
    expect(box.kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: 100_000 });
    const sealed = await box.seal('sk-secret-value');
    expect(sealed).not.toContain('sk-secret');
    expect(await (await PassphraseBox.open('a long passphrase here', box.kdf)).unseal(sealed)).toBe('sk-secret-value');
    await expect((await PassphraseBox.open('another passphrase', box.kdf)).unseal(sealed)).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(box.unseal(`${sealed.slice(0, -4)}AAA=`)).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(box.unseal('not base64!')).rejects.toBeInstanceOf(WrongPassphraseError);
  });
});
