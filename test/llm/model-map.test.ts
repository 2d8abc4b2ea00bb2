import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyModelMap, formatModelMap, matchModelMap, ModelMapSyntaxError, parseModelMap } from '../../server/llm/index.js';

describe('parseModelMap', () => {
  it('parses a comma list of pattern=target, trimming whitespace and skipping empty entries', () => {
    expect(parseModelMap(' gpt-4o = ollama/llama3.1 , claude-*=anthropic/claude-sonnet-4-5,, ')).toEqual([
      { pattern: 'gpt-4o', target: 'ollama/llama3.1' },
      { pattern: 'claude-*', target: 'anthropic/claude-sonnet-4-5' },
    ]);
    expect(parseModelMap('*=offline')).toEqual([{ pattern: '*', target: 'offline' }]);
    expect(parseModelMap(undefined)).toEqual([]);
    expect(parseModelMap('   ')).toEqual([]);
  });

  it.each([
    ['gpt-4o', 'no "="'],
    ['=offline', 'empty pattern'],
    ['gpt-4o=', 'empty target'],
    ['gpt-*=openai/*', 'cannot contain "*"'],
  ])('rejects %j (%s) with a ModelMapSyntaxError naming the entry', (text, reason) => {
    const error = (() => {
      try {
        parseModelMap(`*=offline,${text}`);
      } catch (e) {
        return e;
      }
    })() as ModelMapSyntaxError;
    expect(error).toBeInstanceOf(ModelMapSyntaxError);
    expect(error.entry).toBe(text);
    expect(error.message).toContain(reason);
  });

  it('round-trips through formatModelMap', () => {
    const entry = fc
      .tuple(fc.stringMatching(/^[a-z0-9*][a-z0-9.*-]{0,12}$/), fc.stringMatching(/^[a-z0-9][a-z0-9./-]{0,16}$/))
      .map(([pattern, target]) => ({ pattern, target }));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), (rules) => {
        expect(parseModelMap(formatModelMap(rules))).toEqual(rules);
      }),
    );
  });
});

describe('matching', () => {
  const rules = parseModelMap('*=offline,gpt-4o=ollama/llama3.1,claude-*=anthropic/claude-sonnet-4-5,claude-3-*=anthropic/claude-3-5-haiku');

  it('prefers an exact name over wildcards, and the longer literal among wildcards, whatever the order', () => {
    expect(applyModelMap(rules, 'gpt-4o')).toBe('ollama/llama3.1');
    expect(applyModelMap(rules, 'claude-opus-4')).toBe('anthropic/claude-sonnet-4-5');
    expect(applyModelMap(rules, 'claude-3-opus')).toBe('anthropic/claude-3-5-haiku');
    expect(applyModelMap(rules, 'gpt-4o-mini')).toBe('offline');
    expect(applyModelMap([...rules].reverse(), 'gpt-4o')).toBe('ollama/llama3.1');
  });

  it('treats only * as special (dots and other regex characters are literal)', () => {
    const dotted = parseModelMap('gpt-4.1=openai/gpt-4.1');
    expect(applyModelMap(dotted, 'gpt-4x1')).toBe('gpt-4x1');
    expect(matchModelMap(parseModelMap('a*b=x'), 'a-anything-b')?.target).toBe('x');
    expect(matchModelMap(parseModelMap('a*b=x'), 'a-anything-c')).toBeUndefined();
  });

  it('leaves unmapped names unchanged', () => {
    expect(applyModelMap(parseModelMap('gpt-4o=offline'), 'claude-x')).toBe('claude-x');
  });
});
