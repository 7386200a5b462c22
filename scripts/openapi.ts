/**
 * `npm run openapi`: writes the OpenAPI document (worker/openapi/document.ts) to
 * worker/src/admin/openapi.json, which `GET /api/v1/openapi.json` serves. Run it after changing an
 * admin schema or route; worker/test/unit/openapi.test.ts fails until the file is current.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, OPENAPI_FILE } from '../worker/openapi/document';

const target = fileURLToPath(new URL(`../${OPENAPI_FILE}`, import.meta.url));
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${OPENAPI_FILE}`);
