/**
 * The OpenAPI document (worker/openapi/document.ts → worker/src/admin/openapi.json): the committed
 * file is exactly what the zod schemas build today, and it names every route of the app and no other.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { buildOpenApiDocument, OPENAPI_FILE } from '../../openapi/document';

const REGENERATE = 'The committed OpenAPI document is stale: run `npm run openapi` and commit worker/src/admin/openapi.json.';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/**
 * `METHOD path` of every operation, with each path parameter reduced to `{}` and a Gemini action
 * (`{model}:generateContent`) to its parameter, since the app routes them all through one `:action`.
 */
function documentRoutes(doc: ReturnType<typeof buildOpenApiDocument>): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      if ((item as Record<string, unknown>)[method]) out.add(`${method.toUpperCase()} ${path.replace(/\{[^}]+\}(:[A-Za-z]+)?/g, '{}')}`);
    }
  }
  return out;
}

/** `METHOD path` of every handler the app registers (middleware and catch-alls, method ALL, left out). */
function appRoutes(): Set<string> {
  const app = createApp(() => {
    throw new Error('no platform: the routes are only listed');
  });
  return new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, '{}')}`));
}

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument();

  it('is committed as built from the current schemas (else: npm run openapi)', () => {
    const committed = readFileSync(fileURLToPath(new URL(`../../../${OPENAPI_FILE}`, import.meta.url)), 'utf8');
    expect(committed, REGENERATE).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });

  it('validates against the OpenAPI 3.1 schema, every $ref resolving', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? [], 'OpenAPI 3.1 schema errors').toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator resolves references while it walks: a dangling one throws here.
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('describes every route of the app, and no route the app lacks', () => {
    const inApp = appRoutes();
    const inDoc = documentRoutes(doc);
    // Sanity: both sides found the routes at all (a broken walk must not pass as "no difference").
    expect(inApp.size).toBeGreaterThan(40);
    expect([...inApp].filter((r) => !inDoc.has(r)), 'routes of the app missing from worker/openapi/document.ts').toEqual([]);
    expect([...inDoc].filter((r) => !inApp.has(r)), 'operations in the document without a route in the app').toEqual([]);
  });

  it('is OpenAPI 3.1 with the admin error shape, the session cookie and the relay key schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    const schemes = doc.components?.securitySchemes ?? {};
    expect(schemes.adminSession).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'oe_session' });
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.xApiKey).toMatchObject({ in: 'header', name: 'x-api-key' });
    expect(schemes.googApiKey).toMatchObject({ in: 'header', name: 'x-goog-api-key' });
    expect(schemes.keyQuery).toMatchObject({ in: 'query', name: 'key' });
    expect(doc.components?.schemas?.AdminError).toMatchObject({
      properties: { error: { properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
    });
    // Admin operations need the session, except the session's own, this document and the key holder's page (client key only).
    const publicAdmin: string[] = [];
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const method of METHODS) {
        const op = item[method];
        if (op && !op.security?.some((s) => 'adminSession' in s)) publicAdmin.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(publicAdmin.sort()).toEqual([
      'GET /api/v1/auth/session', 'GET /api/v1/me', 'GET /api/v1/openapi.json', 'POST /api/v1/auth/login', 'POST /api/v1/auth/logout',
    ]);
    expect(doc.paths?.['/api/v1/me']?.get?.security).toEqual([{ bearer: [] }, { xApiKey: [] }]);
  });

  it('takes request bodies and queries from the schemas the routes validate with', () => {
    const channelBody = doc.paths?.['/api/v1/channels']?.post?.requestBody as { content: Record<string, { schema: { required?: string[]; additionalProperties?: unknown } }> };
    const schema = channelBody.content['application/json']!.schema;
    // ChannelCreate: strict, name/type/baseUrl/keys required.
    expect(schema.required).toEqual(['name', 'type', 'baseUrl', 'keys']);
    expect(schema.additionalProperties).toBe(false);
    const logParams = (doc.paths?.['/api/v1/logs']?.get?.parameters ?? []) as { name: string; in: string }[];
    const filters = ['q', 'from', 'to', 'errors', 'group', 'keyId', 'channelId', 'status'].map((n) => `query:${n}`);
    expect(logParams.map((p) => `${p.in}:${p.name}`)).toEqual([...filters, 'query:limit', 'query:before', 'query:beforeId']);
    // The CSV export takes the same filters (no paging: it writes up to its cap).
    const csvParams = (doc.paths?.['/api/v1/logs.csv']?.get?.parameters ?? []) as { name: string; in: string }[];
    expect(csvParams.map((p) => `${p.in}:${p.name}`)).toEqual(filters);
  });
});
