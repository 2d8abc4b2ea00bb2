import { parseImageRef } from './image-input.js';
import { stableDigest, stableInt } from './stable-hash.js';
import type { ChatRequest } from './types.js';

/**
 * The offline model's text answer. It is built so a reader (or a test) can see who answered
 * and what that agent was given:
 *
 *     <<Alice>> Alice (offline gpt-4o) reply 1: "User: Analyze market trends…"
 *     saw: Bob, Carol
 *     input: 42 tokens, digest 1a2b3c4d, system 5e6f7a8b
 *     Answer: amber
 *
 * - `<<name>>` opens every answer; `saw:` lists, in order, the `<<name>>` headers found in the
 *   user messages the agent received, i.e. whose answers it was shown.
 * - The quoted excerpt is the first line of the latest user message (headers stripped, so the
 *   `saw:` scan only ever finds real answers).
 * - The final `Answer:` line depends only on the model and the latest user message, so voters
 *   on the same model given the same question agree, like a deterministic model would.
 */

const ANSWER_WORDS = ['amber', 'birch', 'cobalt', 'delta', 'ember', 'fjord', 'granite', 'harbor'] as const;
const HEADER = /<<([^<>\n]{1,200})>>/g;

export function offlineAnswerText(request: ChatRequest, inputTokens: number): string {
  const agent = request.agentName?.trim() || 'assistant';
  const userMessages = request.messages.filter((m) => m.role === 'user');
  const latest = userMessages.at(-1)?.content ?? '';
  const turn = request.messages.filter((m) => m.role === 'assistant').length + 1;
  const seen = userMessages.flatMap((m) => [...m.content.matchAll(HEADER)].map((match) => match[1]!));
  const images = userMessages.flatMap((m) => m.images ?? []);
  const inputDigest = stableDigest(request.system ?? '', ...request.messages.map((m) => `${m.role}:${m.content}`)).slice(0, 8);
  const lines = [
    `<<${agent}>> ${agent} (offline ${request.model}) reply ${turn}: "${excerpt(latest)}"`,
    `saw: ${seen.length > 0 ? seen.join(', ') : 'nobody'}`,
  ];
  if (images.length > 0) {
    lines.push(`images: ${images.map((ref) => `${parseImageRef(ref)?.kind ?? 'invalid'} ${stableDigest(ref).slice(0, 8)}`).join(', ')}`);
  }
  lines.push(
    `input: ${inputTokens} tokens, digest ${inputDigest}, system ${request.system ? stableDigest(request.system).slice(0, 8) : 'none'}`,
    `Answer: ${ANSWER_WORDS[stableInt(request.model, latest) % ANSWER_WORDS.length]}`,
  );
  return lines.join('\n');
}

function excerpt(text: string): string {
  const firstLine = (text.split('\n').find((line) => line.trim() !== '') ?? '').replace(/<<|>>/g, '').replace(/\s+/g, ' ').trim();
  return firstLine.length > 80 ? `${firstLine.slice(0, 79)}…` : firstLine;
}
