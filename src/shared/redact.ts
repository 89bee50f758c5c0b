/** Patterns that look like secrets; they are masked before anything is written. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(sk-[A-Za-z0-9_-]{8,})/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /((?:api[_-]?key|token|authorization)["']?\s*[:=]\s*["']?)[^\s"',}]{6,}/gi,
];

/** Replaces anything that looks like an API key or token with a mask. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const pattern of SECRET_PATTERNS) {
    result = result.replace(pattern, (match: string, prefix: string) =>
      prefix && prefix !== match ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return result;
}
