import { DomainError } from '../../shared/errors.js';
import { cachedStatement } from '../db/statements.js';
import type { Core } from '../core.js';
import { TODO_COLUMNS, TODOS_WITH_SPECS, toTodoRecord, type TodoRecord, type TodoRow } from './todo-record.js';

export function findTodoRow(core: Pick<Core, 'sqlite'>, id: number): TodoRow | undefined {
  return cachedStatement(core.sqlite, `SELECT ${TODO_COLUMNS} FROM ${TODOS_WITH_SPECS} WHERE id = ?`).get(id) as TodoRow | undefined;
}

export function getTodo(core: Pick<Core, 'sqlite'>, id: number): TodoRecord {
  const row = findTodoRow(core, id);
  if (!row) throw new DomainError('TODO_NOT_FOUND', `todo ${id} does not exist`);
  return toTodoRecord(row);
}
