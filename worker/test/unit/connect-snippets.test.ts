/**
 * The dashboard's Connect panel (dashboard/src/lib/connect.ts) gives the same snippets as README's
 * "Point an SDK at it", which readme-clients.test.ts ties to what the real-client harness and the
 * SDK end-to-end tests run in CI: with the README's placeholders, every snippet must be one of the
 * README's code blocks, and every README block must come out of the panel. Other inputs (a key or
 * group with quotes, a trailing slash) must stay valid code.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectTargets } from '../../../dashboard/src/lib/connect';

const root = resolve(import.meta.dirname, '../../..');
const README = readFileSync(join(root, 'README.md'), 'utf8');

function sdkSection(): string {
  const start = README.indexOf('\n## Point an SDK at it\n');
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end);
}
/** README's blocks, the curl block's `GW=` line without its comment (the panel knows the one URL). */
const readmeBlocks = [...sdkSection().matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => m[2]!.replace(/^(GW=\S+)\s+#.*$/m, '$1').trimEnd());

describe('Connect panel snippets', () => {
  const snippets = connectTargets('http://localhost:8787', 'sk-oe-…', 'fast').flatMap((t) => t.snippets);

  it('are exactly the README blocks, with its placeholders', () => {
    for (const s of snippets) expect(readmeBlocks, `snippet ${s.id}`).toContain(s.code);
    for (const b of readmeBlocks) expect(snippets.map((s) => s.code), `README block:\n${b}`).toContain(b);
    expect(snippets.length).toBe(readmeBlocks.length);
  });

  it('cover the SDKs, curl and the four coding agents', () => {
    const targets = connectTargets('http://localhost:8787', 'k', 'g');
    expect(targets.map((t) => t.id)).toEqual(['openai', 'anthropic', 'google', 'curl', 'claude-code', 'codex', 'gemini-cli', 'opencode']);
  });

  it('keep code valid for any base URL, key and group', () => {
    const odd = connectTargets('https://gw.example.com/', "sk-oe-a'b\"c", "my group's");
    const byId = Object.fromEntries(odd.flatMap((t) => t.snippets).map((s) => [s.id, s.code]));
    expect(byId.openai).toContain("baseURL: 'https://gw.example.com/v1'");
    expect(byId.anthropic).toContain("baseURL: 'https://gw.example.com' }");
    // JSON snippets parse, with the values intact.
    const opencode = JSON.parse(byId.opencode!);
    expect(opencode.provider.octopus.options).toEqual({ baseURL: 'https://gw.example.com/v1', apiKey: "sk-oe-a'b\"c" });
    expect(opencode.model).toBe("octopus/my group's");
    // Shell words with quotes or spaces are single-quoted, with ' written as '\''.
    expect(byId['claude-code']).toContain(`ANTHROPIC_API_KEY='sk-oe-a'\\''b"c'`);
    expect(byId['gemini-env']).toContain(`gemini -m 'my group'\\''s'`);
    // The JS string literals evaluate to the values.
    const literal = byId.openai!.match(/apiKey: ('(?:[^'\\]|\\.)*')/)![1]!;
    expect(new Function(`return ${literal}`)()).toBe("sk-oe-a'b\"c");
  });
});
