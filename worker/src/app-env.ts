/** Hono typing shared by every route module. */
import type { Platform } from './platform';

export type AppEnv = { Variables: { platform: Platform } };
