import { splitList } from './split-list.js';
import { ModelMapSyntaxError } from './errors.js';

/**
 * The model map sends any requested model name to any provider/model
 * (`SWARMTASK_MODEL_MAP` / `--model-map`): a comma list of `pattern=target`, where `*` in a
 * pattern matches any run of characters, e.g. `*=offline` or
 * `gpt-4o=ollama/llama3.1,claude-*=anthropic/claude-sonnet-4-6`.
 *
 * When several patterns match, the most specific wins: an exact name beats any wildcard, and
 * among wildcards the one with more literal characters wins (ties: the earlier entry). So
 * `*=offline,gpt-4o=openai/gpt-4o` sends gpt-4o to OpenAI and everything else offline, whatever
 * the order. Targets are not mapped again, so a map can never loop.
 */

export interface ModelMapRule {
  pattern: string;
  target: string;
}

/** The map the embedded default (`swarmtask up` without keys) uses: every model runs offline. */
export const EMBEDDED_DEFAULT_MODEL_MAP = '*=offline';

export function parseModelMap(text: string | undefined): ModelMapRule[] {
  return splitList(text).map((entry) => {
      const eq = entry.indexOf('=');
      if (eq < 0) {
        throw new ModelMapSyntaxError(`model map entry "${entry}" has no "=" (expected pattern=target)`, entry);
      }
      const pattern = entry.slice(0, eq).trim();
      const target = entry.slice(eq + 1).trim();
      if (pattern === '') throw new ModelMapSyntaxError(`model map entry "${entry}" has an empty pattern`, entry);
      if (target === '') throw new ModelMapSyntaxError(`model map entry "${entry}" has an empty target`, entry);
      if (target.includes('*')) {
        throw new ModelMapSyntaxError(`model map entry "${entry}": the target cannot contain "*"`, entry);
      }
      return { pattern, target };
    });
}

export function formatModelMap(rules: readonly ModelMapRule[]): string {
  return rules.map((rule) => `${rule.pattern}=${rule.target}`).join(',');
}

function patternToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

function specificity(pattern: string): number {
  // Exact names rank above every wildcard pattern, however long.
  return pattern.includes('*') ? pattern.replaceAll('*', '').length : Number.MAX_SAFE_INTEGER;
}

/** The rule that applies to `model`, or undefined when no pattern matches. */
export function matchModelMap(rules: readonly ModelMapRule[], model: string): ModelMapRule | undefined {
  let best: ModelMapRule | undefined;
  let bestScore = -1;
  for (const rule of rules) {
    if (!patternToRegExp(rule.pattern).test(model)) continue;
    const score = specificity(rule.pattern);
    if (score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  return best;
}

/** The model name a request for `model` should use (itself when unmapped). */
export function applyModelMap(rules: readonly ModelMapRule[], model: string): string {
  return matchModelMap(rules, model)?.target ?? model;
}
