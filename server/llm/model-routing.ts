/**
 * Which provider a model name goes to (after the model map). Rules, in order:
 * 1. `offline` or `offline/<name>` → the offline model.
 * 2. `<prefix>/<model>` where prefix is a known provider (`openai`, `anthropic`, `ollama`,
 *    `vllm`, `lmstudio`, `openrouter`, user-defined ones) → that provider, with `<model>` (which
 *    may itself contain `/`, as OpenRouter ids do).
 * 3. Bare names by family: `gpt-*`, `chatgpt-*`, `o1`/`o3`/`o4…` → openai; `claude-*` → anthropic.
 * Anything else is unroutable.
 */

export interface ModelRoute {
  providerId: string;
  model: string;
}

const OPENAI_FAMILY = /^(gpt-|chatgpt-|o[134](-|$))/;
const ANTHROPIC_FAMILY = /^claude-/;

export function routeModel(name: string, knownPrefixes: ReadonlySet<string>): ModelRoute | undefined {
  if (name === 'offline') return { providerId: 'offline', model: 'offline' };
  const slash = name.indexOf('/');
  if (slash > 0) {
    const prefix = name.slice(0, slash);
    const model = name.slice(slash + 1);
    if (model !== '' && (prefix === 'offline' || knownPrefixes.has(prefix))) return { providerId: prefix, model };
    return undefined;
  }
  if (OPENAI_FAMILY.test(name)) return { providerId: 'openai', model: name };
  if (ANTHROPIC_FAMILY.test(name)) return { providerId: 'anthropic', model: name };
  return undefined;
}
