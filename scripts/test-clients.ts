/**
 * `npm run test:clients` (tsx scripts/test-clients.ts [options]; --help lists them).
 *
 * Installs Claude Code, Codex CLI, Gemini CLI and opencode at pinned versions into `.clients/`
 * (outside the project's dependencies), starts the fake upstream and the gateway, and runs every
 * CLI for a text turn and a tool turn through gateway groups whose channel speaks a different
 * protocol than the CLI, and opencode (a Chat client) for a tool turn with reasoning requested
 * through an Anthropic channel: its second upstream request must carry the first answer's signed
 * thinking block with thinking still on. Prints a pass matrix and ends with `N passed, M failed`; exits 1 on any
 * failure. Evidence of failed runs goes to `.test-artifacts/clients/<time>/`.
 */
import { main } from '../worker/test/clients/run.js';

process.exit(await main(process.argv.slice(2)));
