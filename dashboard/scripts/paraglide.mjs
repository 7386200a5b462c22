#!/usr/bin/env node
// Compiles the messages into src/lib/paraglide (what `vite build` does through the plugin), so
// svelte-check sees the generated modules without a build. Run from dashboard/.
import { compile } from '@inlang/paraglide-js';
import { paraglideOptions } from '../paraglide.config.js';

await compile(paraglideOptions);
