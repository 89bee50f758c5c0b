/**
 * What a model can take, guessed from its name when the provider does not say. Pure.
 */
import { canonicalModelName } from './modelNames';

/** The `codeact.sendImages` setting. */
export type ImagePolicy = 'auto' | 'always' | 'never';

/** Name patterns of models known to accept image inputs. */
const VISION_PATTERNS: readonly RegExp[] = [
  /^gpt-4o/,
  /^gpt-4\.1/,
  /^gpt-4-turbo/,
  /^gpt-4-vision/,
  /^gpt-4\.5/,
  /^gpt-5/,
  /^o1(?!-mini|-preview)/,
  /^o3(?!-mini)/,
  /^o4-mini/,
  /^claude-3/,
  /^claude-(sonnet|opus|haiku)-4/,
  /^gemini/,
  /^gemma-?3/,
  /^llava/,
  /^bakllava/,
  /^moondream/,
  /^pixtral/,
  /^minicpm-v/,
  /^llama-?3\.2-vision/,
  /^llama-?4/,
  /vision/,
  /-vl\b|vl:|qwen2\.5vl|qwen-vl/,
];

/** True when the model is known to accept images. */
export function modelAcceptsImages(model: string): boolean {
  const name = canonicalModelName(model);
  return VISION_PATTERNS.some((pattern) => pattern.test(name));
}

/** Whether to send observation images to this model under the user's setting. */
export function shouldSendImages(policy: ImagePolicy, model: string): boolean {
  switch (policy) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'auto':
      return modelAcceptsImages(model);
  }
}
