import { createHash } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.js';
import { CreateTodoInputSchema, type CreateTodoInput } from '../../shared/todo-schemas.js';

/** What a line leaves out, taken from the command's flags. */
export interface LineDefaults {
  repo?: string | undefined;
  reward?: number | undefined;
  priority?: number | undefined;
  maxAttempts?: number | undefined;
  /** Lines without a dedupe key get one from their content, so a second run adds nothing. */
  dedupeByContent?: boolean;
}

export interface ParsedLines {
  todos: { line: number; input: CreateTodoInput }[];
  /** `line N: field: problem`, in line order. */
  problems: string[];
}

/**
 * Reads JSON Lines of todos: each line is a `todos.create` input (`{"spec": …, "priority": 3}`)
 * or a bare SwarmSpec. Blank lines are skipped; every bad line is reported, not just the first.
 */
export function parseTodoLines(text: string, defaults: LineDefaults = {}): ParsedLines {
  const todos: ParsedLines['todos'] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      problems.push(`line ${line}: not JSON (${(error as Error).message})`);
      return;
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      problems.push(`line ${line}: expected an object (a todo, or a SwarmSpec)`);
      return;
    }
    const given = 'spec' in json ? (json as Record<string, unknown>) : { spec: json };
    const withDefaults: Record<string, unknown> = {
      ...(defaults.repo === undefined ? {} : { repo: defaults.repo }),
      ...(defaults.reward === undefined ? {} : { reward: defaults.reward }),
      ...(defaults.priority === undefined ? {} : { priority: defaults.priority }),
      ...(defaults.maxAttempts === undefined ? {} : { maxAttempts: defaults.maxAttempts }),
      ...given,
    };
    if (defaults.dedupeByContent && withDefaults.dedupeKey === undefined) withDefaults.dedupeKey = contentKey(withDefaults);
    const parsed = CreateTodoInputSchema.safeParse(withDefaults);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`line ${line}: ${issue.path.join('.') || '(line)'}: ${issue.message}`);
      return;
    }
    todos.push({ line, input: parsed.data });
  });
  return { todos, problems };
}

/** `import:` and 32 hex digits of the SHA-256 of the todo's canonical JSON (RFC 8785): key order and spacing do not matter. */
export function contentKey(todo: object): string {
  return `import:${createHash('sha256').update(canonicalJson(todo)).digest('hex').slice(0, 32)}`;
}

/** Consecutive batches of at most `maxCount` todos and about `maxBytes` of JSON each (a single larger todo goes alone). */
export function batchTodos<T extends { input: CreateTodoInput }>(todos: T[], maxCount: number, maxBytes: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const todo of todos) {
    const size = Buffer.byteLength(JSON.stringify(todo.input)) + 1;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(todo);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
