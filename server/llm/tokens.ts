import { createRequire } from 'node:module';
import type { ChatRequest } from './types.js';

type Tokenizer = typeof import('gpt-tokenizer');
let tokenizer: Tokenizer | undefined;
/**
 * Loaded on the first count, synchronously through its CommonJS build: its o200k tables take
 * ~0.5 s to load, which commands that never count tokens (most CLI calls) should not pay.
 */
const o200k = (): Tokenizer => (tokenizer ??= createRequire(import.meta.url)('gpt-tokenizer') as Tokenizer);

// Text from users may contain strings like "<|endoftext|>"; they are plain text here, not control tokens.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Token count with the o200k_base encoding (GPT-4o family). */
export function countTokens(text: string): number {
  return text === '' ? 0 : o200k().countTokens(text, PLAIN_TEXT);
}

/** OpenAI's flat charge for one low-detail image; used for offline accounting only. */
export const IMAGE_TOKENS = 85;

export function countRequestTokens(request: ChatRequest): number {
  let total = request.system ? countTokens(request.system) : 0;
  for (const message of request.messages) {
    total += countTokens(message.content) + (message.images?.length ?? 0) * IMAGE_TOKENS;
  }
  return total;
}
