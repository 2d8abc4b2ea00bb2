import type { CreateTodoInput } from '../../shared/todo-schemas.js';
import { DomainError } from '../../shared/errors.js';
import { immediate } from '../db/transaction.js';
import type { Core } from '../core.js';
import { insertTodo } from './create-todo.js';

export interface CreateTodosResult {
  /** One per input, in order: the todo's id, and false where a dedupe key named an existing todo. */
  results: { id: number; created: boolean }[];
  created: number;
  existing: number;
}

/**
 * Creates a batch of todos in one transaction: all of them, or none if one is refused (its
 * index is in the message and the field path). Dedupe keys make a repeated batch add nothing,
 * so an import that stopped half-way can simply be run again.
 */
export function createTodos(core: Core, inputs: CreateTodoInput[], now = Date.now()): CreateTodosResult {
  const results = immediate(core.db, () =>
    inputs.map((input, index) => {
      try {
        return insertTodo(core, input, now);
      } catch (error) {
        if (error instanceof DomainError && error.details.field !== undefined) {
          const field = `todos.${index}.${error.details.field}`;
          throw new DomainError(error.reason, `${field}: ${error.message}`, { ...error.details, field });
        }
        throw error;
      }
    }),
  );
  const created = results.filter((r) => r.created).length;
  if (created > 0) core.bus.notify();
  return { results, created, existing: results.length - created };
}
