import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sampleJsonSchema } from '../../server/llm/index.js';

/** Random zod schemas from a small grammar; their JSON Schema is what the offline model sees. */
const zodSchema: fc.Arbitrary<z.ZodType> = fc.letrec<{ node: z.ZodType; leaf: z.ZodType }>((tie) => ({
  leaf: fc.oneof(
    fc.constant(z.string()),
    fc.tuple(fc.nat(40), fc.nat(20)).map(([min, extra]) => z.string().min(min).max(Math.max(min, 8) + extra)),
    fc.nat(6).map((max) => z.string().max(max)),
    fc.tuple(fc.integer({ min: -50, max: 50 }), fc.nat(100)).map(([min, span]) => z.number().min(min).max(min + span)),
    fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 2, max: 100 })).map(([min, span]) => z.number().int().gt(min).lt(min + span)),
    fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 20 })).map(([min, span]) => z.number().int().min(min + 0.5).max(min + span + 0.5)),
    fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 20 })).map(([min, span]) => z.number().gt(min + 0.25).lt(min + span)),
    fc.constant(z.number().int()),
    fc.constant(z.boolean()),
    fc.constant(z.null()),
    fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 4 }).map((values) => z.enum(values as [string, ...string[]])),
    fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()).map((value) => z.literal(value)),
    fc.constant(z.email()),
    fc.constant(z.uuid()),
    fc.constant(z.iso.datetime()),
  ),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc
      .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z_]{0,7}$/), tie('node'), fc.boolean()), { maxLength: 4, selector: ([key]) => key })
      .map((fields) => z.object(Object.fromEntries(fields.map(([key, schema, optional]) => [key, optional ? schema.optional() : schema])))),
    fc.tuple(tie('node'), fc.nat(3), fc.nat(3)).map(([item, min, extra]) => z.array(item).min(min).max(min + extra)),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => z.union([a, b])),
    tie('node').map((schema) => schema.nullable()),
  ),
})).node;

describe('sampleJsonSchema', () => {
  it('produces values valid against any schema of the grammar, identically for the same seed', () => {
    fc.assert(
      fc.property(zodSchema, fc.string(), (schema, seed) => {
        const jsonSchema = z.toJSONSchema(schema) as Record<string, unknown>;
        const value = sampleJsonSchema(jsonSchema, seed);
        const parsed = schema.safeParse(value);
        expect(parsed.success, JSON.stringify({ jsonSchema, value, issues: parsed.error?.issues })).toBe(true);
        expect(sampleJsonSchema(jsonSchema, seed)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('gives one array item per value of a required enum property (every agent gets a hand-off)', () => {
    const schema = z.object({ handoffs: z.array(z.object({ agent_name: z.enum(['A', 'B', 'C']), reasoning: z.string() })).min(1) });
    const value = sampleJsonSchema(z.toJSONSchema(schema) as Record<string, unknown>, 'seed') as z.infer<typeof schema>;
    expect(value.handoffs.map((h) => h.agent_name)).toEqual(['A', 'B', 'C']);
    const capped = z.object({ picks: z.array(z.object({ who: z.enum(['A', 'B', 'C']) })).max(2) });
    expect((sampleJsonSchema(z.toJSONSchema(capped) as Record<string, unknown>, 's') as { picks: unknown[] }).picks).toHaveLength(2);
  });

  it('leaves optional properties out and resolves local $ref', () => {
    const schema = {
      type: 'object',
      properties: { item: { $ref: '#/$defs/Item' }, note: { type: 'string' } },
      required: ['item'],
      $defs: { Item: { type: 'object', properties: { id: { type: 'integer', minimum: 5, maximum: 5 } }, required: ['id'] } },
    };
    expect(sampleJsonSchema(schema, 'x')).toEqual({ item: { id: 5 } });
  });

  it('varies with the seed', () => {
    const schema = { type: 'object', properties: { s: { type: 'string' } }, required: ['s'] };
    expect(sampleJsonSchema(schema, 'one')).not.toEqual(sampleJsonSchema(schema, 'two'));
  });
});
