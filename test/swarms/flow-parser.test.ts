import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFlow, SwarmSpecError } from '../../server/swarms/index.js';

const names = ['Writer', 'Editor', 'Fact Checker', 'Publisher'];

function errorOf(flow: string): SwarmSpecError {
  try {
    parseFlow(flow, names);
  } catch (e) {
    return e as SwarmSpecError;
  }
  throw new Error(`"${flow}" parsed`);
}

describe('AgentRearrange flow grammar', () => {
  it('parses steps separated by -> and concurrent groups separated by commas, trimming names', () => {
    expect(parseFlow('Writer -> Editor, Fact Checker ->Publisher', names)).toEqual([['Writer'], ['Editor', 'Fact Checker'], ['Publisher']]);
  });

  it('allows repeated names and a flow without -> (fan-out)', () => {
    expect(parseFlow('Writer -> Editor -> Writer', names)).toEqual([['Writer'], ['Editor'], ['Writer']]);
    expect(parseFlow('Writer, Editor, Publisher', names)).toEqual([['Writer', 'Editor', 'Publisher']]);
  });

  it.each([
    ['Writer -> Ghost', '"Ghost"'],
    ['writer -> Editor', '"writer"'],
    ['Writer -> FactChecker', '"FactChecker"'],
    ['Writer - > Editor', '"Writer - > Editor"'],
  ])('rejects the unknown name in %j, naming it', (flow, token) => {
    const error = errorOf(flow);
    expect(error).toBeInstanceOf(SwarmSpecError);
    expect(error.field).toBe('rearrange_flow');
    expect(error.status).toBe(400);
    expect(error.message).toContain(`unknown agent ${token}`);
  });

  it.each(['Writer -> -> Editor', 'Writer,,Editor', 'Writer ->', '-> Writer', 'Writer, -> Editor'])('rejects the empty name in %j', (flow) => {
    expect(errorOf(flow).message).toMatch(/empty agent name in step \d/);
  });

  it('rejects the human-in-the-loop step H', () => {
    expect(errorOf('Writer -> H -> Editor').message).toContain('"H"');
  });

  it('rejects an empty flow', () => {
    expect(errorOf('  ').message).toContain('empty');
  });

  it('parses any flow built from agent names, whatever the spacing', () => {
    const spacing = fc.stringMatching(/^ {0,2}$/);
    const step = fc.array(fc.tuple(fc.constantFrom(...names), spacing, spacing), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 4 }), (steps) => {
        const flow = steps.map((group) => group.map(([name, before, after]) => `${before}${name}${after}`).join(',')).join('->');
        expect(parseFlow(flow, names)).toEqual(steps.map((group) => group.map(([name]) => name)));
      }),
    );
  });
});
