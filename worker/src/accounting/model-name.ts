/**
 * Model-name normalisation, so an upstream model name can find its models.dev entry when the
 * two are spelt differently. Two levels, each a superset of the one before:
 *
 * - bare name: lower case, and everything up to the last `/` dropped. Channels and aggregators
 *   prefix ids with a vendor or a path (`openai/gpt-4o`, `anthropic/claude-…`, Gemini's
 *   `models/gemini-2.5-pro`, `google/…`, `meta-llama/Llama-3.3-70B-Instruct`); the last segment
 *   is the model.
 * - base name: the bare name without a trailing release tag, removed repeatedly:
 *   `-latest`; `-YYYYMMDD` or `@YYYYMMDD` (Anthropic `claude-sonnet-4-20250514`, Vertex
 *   `claude-3-opus@20240229`); `-YYYY-MM-DD` (OpenAI `gpt-4o-2024-11-20`). Only years 20xx count,
 *   so an 8-digit number that is not a date is less likely to be cut.
 *
 * Deliberately not stripped: 4-digit tags like `-0613` or `-0528` (they name different model
 * versions as often as dates), Bedrock's `anthropic.` prefix and `-v2:0` suffix, and `:free`
 * style variants; those names only match exactly or through a user price.
 */

/** Release tags removed by `baseModelName`, each anchored at the end of the name. */
const RELEASE_TAGS: readonly RegExp[] = [/-latest$/, /[-@]20\d{6}$/, /[-@]20\d{2}-\d{2}-\d{2}$/];

/**
 * Lower-cased name without any path prefix: `Models/Gemini-2.5-Pro` → `gemini-2.5-pro`,
 * `openai/gpt-4o` → `gpt-4o`. Surrounding whitespace is trimmed.
 *
 * @param name a model name or id.
 * @returns the bare name; `''` when nothing is left (e.g. `openai/`). Throws nothing.
 */
export function bareModelName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.slice(lower.lastIndexOf('/') + 1);
}

/**
 * Bare name without trailing release tags: `claude-3-5-haiku-latest` → `claude-3-5-haiku`,
 * `anthropic/claude-sonnet-4-20250514` → `claude-sonnet-4`, `GPT-4o-2024-11-20` → `gpt-4o`.
 *
 * @param name a model name or id.
 * @returns the base name; `''` when nothing is left. Throws nothing.
 */
export function baseModelName(name: string): string {
  let base = bareModelName(name);
  for (let changed = true; changed; ) {
    changed = false;
    for (const tag of RELEASE_TAGS) {
      const stripped = base.replace(tag, '');
      // Never strip a name down to nothing: `-latest` alone is not a model.
      if (stripped !== base && stripped !== '') {
        base = stripped;
        changed = true;
      }
    }
  }
  return base;
}
