import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTodo, listTodos } from '../../server/queue/index.js';
import { EXAMPLE_SWARM_SPEC } from '../../shared/swarm-spec.js';
import { ListTodosInputSchema } from '../../shared/todo-schemas.js';
import { openTestCore, todoInput } from '../helpers/api.js';
import { tempDir } from '../helpers/coordinator.js';
import { runCli, writeExampleSpec } from '../helpers/run-cli.js';

describe('listing todos by swarm type and repository', () => {
  it('filters on each, together with status and paging; a spec without a type lists as SequentialWorkflow', () => {
    using core = openTestCore();
    const { swarm_type: _, ...untyped } = EXAMPLE_SWARM_SPEC;
    const ids = {
      concurrentRepo: createTodo(core, todoInput({ repo: 'octo/demo' })).todo.id,
      concurrent: createTodo(core, todoInput()).todo.id,
      sequential: createTodo(core, todoInput({ spec: untyped })).todo.id,
      votingRepo: createTodo(core, todoInput({ repo: 'octo/demo', spec: { ...EXAMPLE_SWARM_SPEC, swarm_type: 'MajorityVoting' } })).todo.id,
      otherRepo: createTodo(core, todoInput({ repo: 'octo/other' })).todo.id,
    };
    const list = (filter: object) => listTodos(core, ListTodosInputSchema.parse(filter)).todos.map((t) => t.id);
    expect(list({ swarmType: 'ConcurrentWorkflow' })).toEqual([ids.otherRepo, ids.concurrent, ids.concurrentRepo]);
    expect(list({ swarmType: 'SequentialWorkflow' })).toEqual([ids.sequential]);
    expect(list({ repo: 'octo/demo' })).toEqual([ids.votingRepo, ids.concurrentRepo]);
    expect(list({ repo: 'octo/demo', swarmType: 'MajorityVoting', status: 'initialized' })).toEqual([ids.votingRepo]);
    expect(list({ repo: 'octo/demo', status: 'done' })).toEqual([]);
    const firstPage = listTodos(core, ListTodosInputSchema.parse({ swarmType: 'ConcurrentWorkflow', limit: 2 }));
    expect(firstPage.nextBeforeId).toBe(ids.concurrent);
    expect(list({ swarmType: 'ConcurrentWorkflow', limit: 2, beforeId: firstPage.nextBeforeId })).toEqual([ids.concurrentRepo]);
  });

  it('swarmtask todo list --type / --repo, a bad value exits 2 naming the flag', async () => {
    using dir = tempDir();
    const data = join(dir.path, 'data');
    const spec = writeExampleSpec(dir.path);
    for (const repo of ['octo/demo', 'octo/other']) expect((await runCli(['todo', 'add', spec, '--repo', repo, '--data', data])).code).toBe(0);
    const listed = await runCli(['todo', 'list', '--data', data, '--repo', 'octo/other', '--type', 'ConcurrentWorkflow', '--json']);
    expect((JSON.parse(listed.stdout) as { todos: { id: number; repo: unknown }[] }).todos).toEqual([expect.objectContaining({ id: 2, repo: { owner: 'octo', name: 'other' } })]);
    const badType = await runCli(['todo', 'list', '--data', data, '--type', 'Swarmy']);
    expect(badType).toMatchObject({ code: 2, stderr: expect.stringContaining('--type: unknown swarm type "Swarmy"') });
    const badRepo = await runCli(['todo', 'list', '--data', data, '--repo', 'not-a-slug']);
    expect(badRepo).toMatchObject({ code: 2, stderr: expect.stringContaining('--repo: expected "owner/name"') });
  });
});
