import type { ListTodosInput } from '../../shared/todo-schemas.js';
import { cachedStatement } from '../db/statements.js';
import { TYPE_AND_REPO_CONDITIONS, typeAndRepoParams } from './todo-filters.js';
import type { Core } from '../core.js';
import { TODO_COLUMNS, TODOS_WITH_SPECS, toTodoRecord, type TodoRecord, type TodoRow } from './todo-record.js';

export interface TodoPage {
  todos: TodoRecord[];
  /** Pass as `beforeId` for the next page; null on the last page. */
  nextBeforeId: number | null;
}

export function listTodos(core: Pick<Core, 'sqlite'>, input: ListTodosInput): TodoPage {
  const rows = cachedStatement(
    core.sqlite,
    `SELECT ${TODO_COLUMNS} FROM ${TODOS_WITH_SPECS}
     WHERE (@status IS NULL OR status = @status) AND (@beforeId IS NULL OR id < @beforeId)
       AND ${TYPE_AND_REPO_CONDITIONS}
     ORDER BY id DESC LIMIT @limit`,
  ).all({ status: input.status ?? null, beforeId: input.beforeId ?? null, ...typeAndRepoParams(input), limit: input.limit + 1 }) as TodoRow[];
  const page = rows.slice(0, input.limit).map(toTodoRecord);
  return { todos: page, nextBeforeId: rows.length > input.limit ? page[page.length - 1]!.id : null };
}

/** Todos per status (statuses with none left out), from the trigger-kept counts: no scan. */
export function countTodosByStatus(core: Pick<Core, 'sqlite'>): Record<string, number> {
  const rows = cachedStatement(core.sqlite, 'SELECT status, n FROM todo_status_counts WHERE n > 0 ORDER BY status').all() as {
    status: string;
    n: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
