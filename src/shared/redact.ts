/**
 * Patterns that look like secrets; they are masked before anything is written. Each keeps the
 * words around the secret (a header's name, a URL's host) so the line still says what it is
 * about. Order matters: header values go before the generic key=value form, which would
 * otherwise take the scheme word ("token", "Basic") for the secret.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  // Provider key formats: OpenAI/Anthropic (sk-), Groq (gsk_), Hugging Face (hf_), Google (AIza).
  /\b(sk-[A-Za-z0-9_-]{8,})/g,
  /\b(gsk_[A-Za-z0-9]{16,})/g,
  /\b(hf_[A-Za-z0-9]{16,})/g,
  /\b(AIza[0-9A-Za-z_-]{20,})/g,
  // An Authorization header with its scheme: Bearer, token (Jupyter), Basic.
  /((?:authorization|proxy-authorization)["']?\s*[:=]\s*["']?(?:bearer|token|basic)\s+)[^\s"',}]+/gi,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  // user:password@ in a URL.
  /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*(?=@)/gi,
  // key=value and "key": "value" forms, in URLs' queries too (?token=…).
  /((?:api[_-]?key|x-api-key|token|access[_-]?token|authorization|password|secret)["']?\s*[:=]\s*["']?)[^\s"',}&]{6,}/gi,
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
