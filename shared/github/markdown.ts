/**
 * A swarm result as a Markdown document: the file a worker commits to its pull request.
 *
 * The input type is structural and loose on purpose: it accepts the engine's `SwarmResult`, the
 * Swarms API's response, or a result read back from IPFS, without importing the engine's types.
 * The rendering is a pure function of its input (no clock, no randomness, stable key order), so a
 * retried publish produces byte-identical content and the commit step can tell "already there".
 */

export interface SwarmOutputMessageLike {
  role?: string | null;
  content?: unknown;
}

export interface SwarmUsageLike {
  input_tokens?: number | null;
  output_tokens?: number | null;
  total_tokens?: number | null;
  billing_info?: { total_cost?: number | null } | null;
  [key: string]: unknown;
}

export interface SwarmOutputLike {
  swarm_name?: string | null;
  swarm_type?: string | null;
  description?: string | null;
  task?: string | null;
  job_id?: string | null;
  status?: string | null;
  output?: ReadonlyArray<SwarmOutputMessageLike> | string | null;
  final?: unknown;
  usage?: SwarmUsageLike | null;
  errors?: ReadonlyArray<{ agent_name?: string | null; message?: string | null }> | null;
  [key: string]: unknown;
}

/** Collapses a value to one line and escapes the characters that would change its Markdown meaning. */
function inline(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** A fence longer than any backtick run inside `text`. */
function fence(text: string, info = ''): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${info}\n${text}\n${ticks}`;
}

/** Key-sorted JSON, so objects render the same whatever order their keys were built in. */
function stableJson(value: unknown): string {
  const seen = new WeakSet<object>();
  const sort = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object' || v === null) return v;
    if (seen.has(v)) return '[circular]';
    seen.add(v);
    if (Array.isArray(v)) return v.map(sort);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) out[key] = sort((v as Record<string, unknown>)[key]);
    return out;
  };
  return JSON.stringify(sort(value), null, 2) ?? String(value);
}

/** Message content as a Markdown block: text stays text (it usually is Markdown), anything else is JSON. */
function block(content: unknown): string {
  if (content === undefined || content === null) return '_(empty)_';
  if (typeof content === 'string') {
    const text = normalizeNewlines(content).trim();
    return text ? text : '_(empty)_';
  }
  return fence(stableJson(content), 'json');
}

function count(value: number | null | undefined): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

function usd(value: number | null | undefined): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  // Fixed precision, trailing zeros trimmed: 0.0123 → "$0.0123", 0 → "$0".
  return `$${value.toFixed(6).replace(/\.?0+$/, '')}`;
}

export function renderSwarmOutputMarkdown(result: SwarmOutputLike): string {
  const lines: string[] = [];
  const push = (...xs: string[]) => lines.push(...xs);

  const name = typeof result.swarm_name === 'string' && result.swarm_name.trim() ? result.swarm_name : 'Swarm output';
  push(`# ${inline(name)}`, '');

  const facts: Array<[string, string]> = [];
  if (typeof result.swarm_type === 'string' && result.swarm_type.trim()) facts.push(['Swarm type', `\`${result.swarm_type.replace(/`/g, '')}\``]);
  if (typeof result.status === 'string' && result.status.trim()) facts.push(['Status', inline(result.status)]);
  if (typeof result.job_id === 'string' && result.job_id.trim()) facts.push(['Job', `\`${result.job_id.replace(/`/g, '')}\``]);
  const messages = Array.isArray(result.output) ? (result.output as ReadonlyArray<SwarmOutputMessageLike>) : undefined;
  if (messages) facts.push(['Agent messages', String(messages.length)]);
  if (facts.length) {
    for (const [k, v] of facts) push(`- **${k}:** ${v}`);
    push('');
  }

  if (typeof result.description === 'string' && result.description.trim()) {
    push(...normalizeNewlines(result.description.trim()).split('\n').map((l) => (l ? `> ${l}` : '>')), '');
  }

  push('## Task', '');
  push(typeof result.task === 'string' && result.task.trim() ? block(result.task) : '_(not recorded)_', '');

  push('## Agent messages', '');
  if (messages && messages.length) {
    messages.forEach((message, i) => {
      const role = typeof message?.role === 'string' && message.role.trim() ? inline(message.role) : 'Agent';
      push(`### ${i + 1}. ${role}`, '', block(message?.content), '');
    });
  } else if (typeof result.output === 'string' && result.output.trim()) {
    push(block(result.output), '');
  } else {
    push('_(no messages)_', '');
  }

  if (Array.isArray(result.errors) && result.errors.length) {
    push('## Failed agents', '');
    for (const e of result.errors) {
      const who = typeof e?.agent_name === 'string' && e.agent_name ? inline(e.agent_name) : 'Agent';
      const why = typeof e?.message === 'string' ? inline(e.message) : 'failed';
      push(`- **${who}:** ${why}`);
    }
    push('');
  }

  push('## Final answer', '');
  push(result.final === undefined || result.final === null || result.final === '' ? '_(none)_' : block(result.final), '');

  const usage = result.usage;
  if (usage && typeof usage === 'object') {
    const rows: Array<[string, string | undefined]> = [
      ['Input tokens', count(usage.input_tokens)],
      ['Output tokens', count(usage.output_tokens)],
      ['Total tokens', count(usage.total_tokens)],
      ['Cost (USD)', usd(usage.billing_info?.total_cost)],
    ];
    const present = rows.filter((r): r is [string, string] => r[1] !== undefined);
    if (present.length) {
      push('## Usage', '', '| Metric | Value |', '| --- | ---: |');
      for (const [k, v] of present) push(`| ${k} | ${v} |`);
      push('');
    }
  }

  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
