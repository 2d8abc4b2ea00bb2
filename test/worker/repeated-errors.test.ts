import { describe, expect, it } from 'vitest';
import { describeWorkerEvent } from '../../client/worker/events.js';
import { RepeatedErrors } from '../../client/worker/repeated-errors.js';

describe('repeated worker errors', () => {
  const claimError = (message: string) => ({ type: 'error' as const, stage: 'claim' as const, message });

  it('shows an error once, then at most once per quiet period with how many were held back', () => {
    let now = 0;
    const filter = new RepeatedErrors(60_000, () => now);
    expect(filter.pass(claimError('STAKE_TOO_LOW'))).toEqual(claimError('STAKE_TOO_LOW'));
    for (let i = 0; i < 11; i++) {
      now += 5_000;
      expect(filter.pass(claimError('STAKE_TOO_LOW'))).toBeNull();
    }
    now += 5_000;
    const again = filter.pass(claimError('STAKE_TOO_LOW'));
    expect(again).toEqual({ ...claimError('STAKE_TOO_LOW'), repeated: 11 });
    expect(describeWorkerEvent(again!)).toBe('error in claim: STAKE_TOO_LOW (again; 11 more like it not shown since the last time)');
    // A different failure is news at once; so is the same one in another stage.
    expect(filter.pass(claimError('cannot reach the coordinator'))).toEqual(claimError('cannot reach the coordinator'));
    expect(filter.pass({ type: 'error', stage: 'audit', message: 'STAKE_TOO_LOW' })).not.toBeNull();
  });

  it('always shows errors about one todo or audit, and forgets a stage once it works again', () => {
    let now = 0;
    const filter = new RepeatedErrors(60_000, () => now);
    const aboutTodo = { type: 'error' as const, stage: 'run' as const, message: 'model timed out', todoId: 7 };
    expect(filter.pass(aboutTodo)).toEqual(aboutTodo);
    expect(filter.pass(aboutTodo)).toEqual(aboutTodo);

    expect(filter.pass(claimError('down'))).not.toBeNull();
    now += 1_000;
    expect(filter.pass(claimError('down'))).toBeNull();
    filter.observe({ type: 'connected' });
    expect(filter.pass(claimError('down'))).toEqual(claimError('down'));
    filter.observe({ type: 'claimed', todoId: 1, attempt: 1, swarmType: 'ConcurrentWorkflow', name: null, leaseExpiresAt: 0 });
    expect(filter.pass(claimError('down'))).toEqual(claimError('down'));
  });
});
