/**
 * Matching model names against tables keyed by a base name. Providers decorate names: dated
 * snapshots ("gpt-4o-2024-08-06"), routers' vendor prefixes ("openai/gpt-4o"), Ollama tags
 * ("llama3.1:8b"). Pure.
 */

/** Lower-cases a model name and drops a router's "vendor/" prefix. */
export function canonicalModelName(model: string): string {
  const lower = model.trim().toLowerCase();
  const slash = lower.lastIndexOf('/');
  return slash >= 0 ? lower.slice(slash + 1) : lower;
}

/**
 * Finds the entry whose key is the longest prefix of `model` that ends at a name boundary
 * (end of name, "-", ":" or "@"), so "gpt-4o-mini-2024-07-18" matches "gpt-4o-mini" and not
 * "gpt-4o", and "gpt-4" never matches "gpt-40".
 */
export function lookupByModelPrefix<T>(table: Readonly<Record<string, T>>, model: string): T | undefined {
  const name = canonicalModelName(model);
  let best: { key: string; value: T } | undefined;
  for (const [key, value] of Object.entries(table)) {
    if (!name.startsWith(key)) continue;
    const next = name.charAt(key.length);
    if (next !== '' && !'-:@'.includes(next)) continue;
    if (!best || key.length > best.key.length) best = { key, value };
  }
  return best?.value;
}
