import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../client/cli/progress.js';

const line = (type: string, data: unknown, todoId: number | null = null) => describeEvent({ id: 1, type, todoId, data }, new Map());

describe('event lines', () => {
  it('say what an operator did: pause, resume, cancel, redrive', () => {
    expect(line('queue.paused', { reason: 'upgrade' })).toBe('claims paused by the operator (upgrade)');
    expect(line('queue.paused', { reason: null })).toBe('claims paused by the operator');
    expect(line('queue.resumed', { pausedMs: 192_000 })).toBe('claims resumed after 3 min 12 s');
    expect(line('todo.cancelled', { previousStatus: 'initialized' }, 7)).toBe('todo 7 cancelled');
    expect(line('todo.redriven', { previousAttempts: 5 }, 8)).toBe('todo 8 redriven: back in the queue with a fresh attempt budget');
    expect(line('todo.heartbeat', {}, 8)).toBeNull();
  });
});
