#!/usr/bin/env node
/**
 * `npm run start:node`: builds the dashboard when stale, then runs the Node entry
 * (worker/src/node/main.ts) in THIS process through tsx's loader.
 *
 * One process on purpose: npm forwards SIGTERM/SIGINT to its child, and a shell chain
 * (`a && tsx b`) or tsx's own child process would leave the server running when a supervisor
 * stops the PID it started. Here the signal reaches main.ts's graceful shutdown directly.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { ensureDashboard } from './ensure-dashboard.mjs';

const root = resolve(import.meta.dirname, '..');
ensureDashboard(root);
register();
await import(pathToFileURL(resolve(root, 'worker/src/node/main.ts')).href);
