/**
 * RFC 8785 (JCS) canonical JSON, in one pass.
 *
 * Every signed call is canonicalized twice, by the worker to sign it and by the coordinator to
 * verify it. The `canonicalize` package walks the value with a Set, sorts every object's keys
 * and joins arrays of parts; with the I-JSON checks in front of it (a second walk, building a
 * path string per property) that took ~40 µs for a report of 32 results. Here one walk checks
 * and writes: object keys are sorted only when they are not already in order, strings and
 * numbers are written by JSON.stringify (JCS defines both as ECMAScript's serialization), and a
 * path is built only for the error message. The `canonicalize` package stays as the reference
 * it is tested against (test/shared/canonical-json.property.test.ts).
 */

type Segment = string | number;

/** "top-level value", "value at a.b[2]": where in the input a problem is. */
function describePath(path: readonly Segment[]): string {
  return path.length === 0 ? 'top-level value' : `value at ${formatPath(path)}`;
}

function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  return out;
}

function wellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function loneSurrogate(): Error {
  return new Error('canonicalJson: not I-JSON: Lone surrogate is not allowed');
}

/** The canonical form of `value`; `path` and `ancestors` are where the walk is (kept for errors and cycles). */
function write(value: unknown, path: Segment[], ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      if (!wellFormed(value)) throw loneSurrogate();
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`canonicalJson: ${describePath(path)} is ${String(value)}, which is not valid I-JSON`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : writeObject(value, path, ancestors);
    default:
      throw new Error(`canonicalJson: ${describePath(path)} is a ${typeof value}, which has no JSON representation`);
  }
}

function writeObject(value: object, path: Segment[], ancestors: object[]): string {
  if (ancestors.includes(value)) throw new Error(`canonicalJson: circular reference at ${formatPath(path) || 'top level'}`);
  ancestors.push(value);
  let out: string;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    out = write((toJSON as () => unknown).call(value), path, ancestors);
  } else if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (i > 0) out += ',';
      // JSON turns undefined array items into null.
      if (item === undefined) {
        out += 'null';
      } else {
        path.push(i);
        out += write(item, path, ancestors);
        path.pop();
      }
    }
    out += ']';
  } else {
    let keys = Object.keys(value);
    // JCS orders keys by UTF-16 code units, as `<` and the default sort compare them.
    for (let i = 1; i < keys.length; i++) {
      if (keys[i - 1]! > keys[i]!) {
        keys = keys.sort();
        break;
      }
    }
    out = '{';
    for (const key of keys) {
      const item: unknown = (value as Record<string, unknown>)[key];
      // Undefined properties are omitted, as JSON.stringify does.
      if (item === undefined) continue;
      if (!wellFormed(key)) throw loneSurrogate();
      if (out.length > 1) out += ',';
      path.push(key);
      out += JSON.stringify(key) + ':' + write(item, path, ancestors);
      path.pop();
    }
    out += '}';
  }
  ancestors.pop();
  return out;
}

/**
 * RFC 8785 (JCS) canonical JSON of `value`.
 * @throws Error with a clear message for non-I-JSON input: NaN, ±Infinity, undefined at the top
 *   level, functions, symbols, bigints, lone surrogates, circular references.
 */
export function canonicalJson(value: unknown): string {
  return write(value, [], []);
}
