import { stableDigest, stableInt } from './stable-hash.js';
import type { JsonSchema } from './types.js';

/**
 * Builds a value valid against a JSON Schema, deterministically from `seed`: the offline
 * model's answer to a structured-output request. Covers the keywords structured-output schemas
 * use (type, properties/required, items/prefixItems, enum/const, anyOf/oneOf/allOf, $ref,
 * min/max bounds, common string formats). Optional properties are left out.
 *
 * One deliberate bias: an array of objects whose required property is an enum gets one item
 * per enum value (within minItems/maxItems). A router asked for hand-offs among agents hands
 * off to each of them, and a director gives every worker an order, so offline runs exercise
 * every agent instead of an arbitrary one.
 */
export function sampleJsonSchema(schema: JsonSchema, seed: string): unknown {
  return new Sampler(schema, seed).value(schema, '$', undefined, undefined, 0);
}

type Schema = JsonSchema | boolean | undefined;
const MAX_DEPTH = 12;

class Sampler {
  constructor(
    private readonly root: JsonSchema,
    private readonly seed: string,
  ) {}

  private int(path: string): number {
    return stableInt(this.seed, path);
  }

  private resolve(schema: Schema, depth = 0): JsonSchema {
    if (schema === undefined || typeof schema === 'boolean') return {};
    const ref = schema['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#') && depth < MAX_DEPTH) {
      const target = ref
        .slice(1)
        .split('/')
        .filter((part) => part !== '')
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], this.root);
      const { $ref: _ref, ...rest } = schema;
      return { ...this.resolve(target as Schema, depth + 1), ...rest };
    }
    const allOf = schema['allOf'];
    if (Array.isArray(allOf)) {
      const { allOf: _all, ...rest } = schema;
      return allOf.map((part) => this.resolve(part as Schema, depth + 1)).reduce(mergeSchemas, rest);
    }
    return schema;
  }

  value(raw: Schema, path: string, key: string | undefined, index: number | undefined, depth: number): unknown {
    const schema = this.resolve(raw);
    if ('const' in schema) return schema['const'];
    const enumValues = schema['enum'];
    if (Array.isArray(enumValues) && enumValues.length > 0) return enumValues[this.int(path) % enumValues.length];
    const branches = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
    if (Array.isArray(branches) && branches.length > 0) {
      // Prefer a non-null branch so `X | null` yields an X.
      const branch = branches.find((b) => this.resolve(b)['type'] !== 'null') ?? branches[0];
      return this.value(branch, path, key, index, depth + 1);
    }
    switch (typeOf(schema)) {
      case 'object':
        return this.object(schema, path, depth, {});
      case 'array':
        return this.array(schema, path, key, depth);
      case 'integer':
        return this.number(schema, path, true);
      case 'number':
        return this.number(schema, path, false);
      case 'boolean':
        return this.int(path) % 2 === 0;
      case 'null':
        return null;
      default:
        return this.string(schema, path, key, index);
    }
  }

  private object(schema: JsonSchema, path: string, depth: number, fixed: Record<string, unknown>): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    if (depth > MAX_DEPTH) return result;
    const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
    const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
    for (const name of required) {
      result[name] = name in fixed ? fixed[name] : this.value(properties[name], `${path}.${name}`, name, undefined, depth + 1);
    }
    return result;
  }

  private array(schema: JsonSchema, path: string, key: string | undefined, depth: number): unknown[] {
    const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
    const max = typeof schema['maxItems'] === 'number' ? schema['maxItems'] : Number.POSITIVE_INFINITY;
    const prefix = Array.isArray(schema['prefixItems']) ? (schema['prefixItems'] as Schema[]) : [];
    if (depth > MAX_DEPTH) return [];
    const items = this.resolve(schema['items'] as Schema);
    const cover = typeOf(items) === 'object' ? coveringEnum(items, (s) => this.resolve(s)) : undefined;
    let count = cover ? cover.values.length : Math.max(1, prefix.length);
    count = Math.min(Math.max(count, min), max);
    const unique = schema['uniqueItems'] === true;
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const itemPath = `${path}[${i}]`;
      if (i < prefix.length) {
        out.push(this.value(prefix[i], itemPath, key, i, depth + 1));
      } else if (cover) {
        out.push(this.object(items, itemPath, depth + 1, { [cover.property]: cover.values[i % cover.values.length] }));
      } else {
        const itemEnum = items['enum'];
        if (unique && Array.isArray(itemEnum)) out.push(itemEnum[i % itemEnum.length]);
        else out.push(this.value(items, itemPath, singular(key), i, depth + 1));
      }
    }
    return out;
  }

  private number(schema: JsonSchema, path: string, integer: boolean): number {
    const num = (name: string) => (typeof schema[name] === 'number' ? (schema[name] as number) : undefined);
    const exclusiveMin = num('exclusiveMinimum');
    const exclusiveMax = num('exclusiveMaximum');
    let low = num('minimum') ?? (exclusiveMin !== undefined ? exclusiveMin + (integer ? 1 : 1e-6) : undefined);
    let high = num('maximum') ?? (exclusiveMax !== undefined ? exclusiveMax - (integer ? 1 : 1e-6) : undefined);
    if (low === undefined) low = high !== undefined ? Math.min(0, high) : 0;
    if (high === undefined) high = low + 99;
    if (integer) {
      low = Math.ceil(low);
      high = Math.floor(high);
    }
    const span = Math.max(0, Math.floor(high - low));
    let value = low + (this.int(path) % (span + 1));
    const step = num('multipleOf');
    if (step !== undefined && step > 0) {
      const snapped = Math.ceil(low / step) * step;
      value = snapped <= high ? snapped : value;
    }
    return Math.min(value, high);
  }

  private string(schema: JsonSchema, path: string, key: string | undefined, index: number | undefined): string {
    let text: string;
    switch (schema['format']) {
      case 'date-time':
        text = '2025-01-01T00:00:00.000Z';
        break;
      case 'date':
        text = '2025-01-01';
        break;
      case 'time':
        text = '00:00:00Z';
        break;
      case 'email':
        text = `offline-${stableDigest(this.seed, path).slice(0, 6)}@example.com`;
        break;
      case 'uri':
      case 'url':
        text = `https://example.com/offline/${stableDigest(this.seed, path).slice(0, 8)}`;
        break;
      case 'uuid': {
        const h = stableDigest(this.seed, path);
        text = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
        break;
      }
      default:
        text = `${key ?? 'value'}${index !== undefined ? `-${index + 1}` : ''}-${stableDigest(this.seed, path).slice(0, 6)}`;
    }
    const minLength = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
    const maxLength = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Number.POSITIVE_INFINITY;
    if (text.length < minLength) text = text.padEnd(minLength, '.');
    if (text.length > maxLength) text = text.slice(0, maxLength);
    return text;
  }
}

function typeOf(schema: JsonSchema): string | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type.find((t) => t !== 'null') ?? type[0]) as string | undefined;
  if (schema['properties'] !== undefined || schema['required'] !== undefined) return 'object';
  if (schema['items'] !== undefined || schema['prefixItems'] !== undefined) return 'array';
  return undefined;
}

function coveringEnum(items: JsonSchema, resolve: (s: Schema) => JsonSchema): { property: string; values: unknown[] } | undefined {
  const properties = (items['properties'] ?? {}) as Record<string, Schema>;
  const required = Array.isArray(items['required']) ? (items['required'] as string[]) : [];
  for (const name of required) {
    const values = resolve(properties[name])['enum'];
    if (Array.isArray(values) && values.length > 0) return { property: name, values };
  }
  return undefined;
}

function singular(key: string | undefined): string | undefined {
  return key?.endsWith('s') ? key.slice(0, -1) : key;
}

function mergeSchemas(a: JsonSchema, b: JsonSchema): JsonSchema {
  const merged: JsonSchema = { ...a, ...b };
  if (a['properties'] || b['properties']) {
    merged['properties'] = { ...(a['properties'] as object), ...(b['properties'] as object) };
  }
  if (Array.isArray(a['required']) || Array.isArray(b['required'])) {
    merged['required'] = [...new Set([...((a['required'] as string[]) ?? []), ...((b['required'] as string[]) ?? [])])];
  }
  return merged;
}
