import { countTokens as countO200k } from 'gpt-tokenizer';
import type { ChatRequest } from './types.js';

// Text from users may contain strings like "<|endoftext|>"; they are plain text here, not control tokens.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Token count with the o200k_base encoding (GPT-4o family). */
export function countTokens(text: string): number {
  return text === '' ? 0 : countO200k(text, PLAIN_TEXT);
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
