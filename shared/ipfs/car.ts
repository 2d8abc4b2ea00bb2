import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { CarFormatError } from './errors.js';

/**
 * CARv1 (https://ipld.io/specs/transport/car/carv1/) encoder and streaming decoder.
 *
 * Written here rather than taken from @ipld/car because (a) that package is not installed and
 * (b) it "does not validate that block data matches the paired CIDs" anyway; callers of
 * `decodeCar` verify each block with `verifyBlock`. The decoder's own job is framing: it rejects
 * malformed headers and any stream that ends inside a section (a truncated CAR).
 */

export interface CarBlock {
  cid: CID;
  bytes: Uint8Array;
}

export const CAR_MEDIA_TYPE = 'application/vnd.ipld.car';

/** Varint (unsigned LEB128) encoding used for CAR section lengths. */
function encodeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** The CARv1 header section: varint length + dag-cbor `{roots, version: 1}`. */
export function encodeCarHeader(roots: readonly CID[]): Uint8Array {
  const header = dagCbor.encode({ roots: [...roots], version: 1 });
  return concat([encodeVarint(header.byteLength), header]);
}

/** One CARv1 data section: varint length + CID bytes + block bytes. */
export function encodeCarBlock(block: CarBlock): Uint8Array {
  const cidBytes = block.cid.bytes;
  return concat([encodeVarint(cidBytes.byteLength + block.bytes.byteLength), cidBytes, block.bytes]);
}

/** Streams a CAR: the header first, then one chunk per block, as `blocks` yields them. */
export async function* encodeCar(
  roots: readonly CID[],
  blocks: AsyncIterable<CarBlock> | Iterable<CarBlock>,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield encodeCarHeader(roots);
  for await (const block of blocks) yield encodeCarBlock(block);
}

/** Buffers an async byte stream so exact-length reads can span chunk boundaries. */
class ByteReader {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private done = false;
  /** Bytes consumed so far, for error messages. */
  consumed = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Ensures `n` unread bytes are buffered; false when the stream ended first. */
  private async fill(n: number): Promise<boolean> {
    let available = this.buf.byteLength - this.pos;
    if (available >= n) return true;
    // Collect whole chunks first and join once: joining per chunk is quadratic for big
    // sections arriving in small network chunks.
    const parts = [this.buf.subarray(this.pos)];
    while (available < n && !this.done) {
      const next = await this.source.next();
      if (next.done === true) {
        this.done = true;
      } else {
        parts.push(next.value);
        available += next.value.byteLength;
      }
    }
    this.buf = parts.length === 1 ? parts[0]! : concat(parts);
    this.pos = 0;
    return available >= n;
  }

  /** Reads a varint; null at a clean end of stream (no byte of the varint present). */
  async varint(what: string): Promise<number | null> {
    let value = 0;
    let factor = 1;
    for (let i = 0; ; i++) {
      if (!(await this.fill(1))) {
        if (i === 0) return null;
        throw new CarFormatError(`stream ends inside the ${what} length at byte ${this.consumed}`);
      }
      const byte = this.buf[this.pos++]!;
      this.consumed++;
      value += (byte & 0x7f) * factor;
      if ((byte & 0x80) === 0) return value;
      factor *= 0x80;
      if (i >= 7) throw new CarFormatError(`${what} length varint is too long`);
    }
  }

  async exactly(n: number, what: string): Promise<Uint8Array> {
    if (!(await this.fill(n))) {
      const have = this.buf.byteLength - this.pos;
      throw new CarFormatError(`truncated: ${what} needs ${n} bytes, stream ended after ${have}`);
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.consumed += n;
    return out;
  }
}

export interface DecodeCarOptions {
  /** Largest header accepted. */
  maxHeaderBytes?: number;
  /** Largest block accepted (the trustless-gateway spec suggests clients cap at 2 MiB). */
  maxBlockBytes?: number;
}

export interface DecodedCar {
  roots: CID[];
  /** The data sections in stream order. Unverified: check each with `verifyBlock`. */
  blocks: AsyncGenerator<CarBlock, void, undefined>;
}

function parseHeader(bytes: Uint8Array): CID[] {
  let header: unknown;
  try {
    header = dagCbor.decode(bytes);
  } catch (err) {
    throw new CarFormatError(`header is not dag-cbor (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null) throw new CarFormatError('header is not a map');
  const { version, roots } = header as { version?: unknown; roots?: unknown };
  if (version === 2) throw new CarFormatError('CARv2 is not supported, request version=1');
  if (version !== 1) throw new CarFormatError(`unsupported CAR version ${String(version)}`);
  if (!Array.isArray(roots)) throw new CarFormatError('header has no roots array');
  return roots.map((r) => {
    const cid = CID.asCID(r);
    if (cid === null) throw new CarFormatError('header roots contain a non-CID');
    return cid;
  });
}

/** Reads the header eagerly (so a bad stream fails fast), then yields blocks on demand. */
export async function decodeCar(
  source: AsyncIterable<Uint8Array>,
  options: DecodeCarOptions = {},
): Promise<DecodedCar> {
  const maxHeader = options.maxHeaderBytes ?? 64 * 1024;
  const maxBlock = options.maxBlockBytes ?? 2 * 1024 * 1024;
  const reader = new ByteReader(source[Symbol.asyncIterator]());

  const headerLength = await reader.varint('header');
  if (headerLength === null) throw new CarFormatError('empty stream, no header');
  if (headerLength === 0 || headerLength > maxHeader) {
    throw new CarFormatError(`header length ${headerLength} out of range`);
  }
  const roots = parseHeader(await reader.exactly(headerLength, 'header'));

  async function* blocks(): AsyncGenerator<CarBlock, void, undefined> {
    for (;;) {
      const sectionLength = await reader.varint('section');
      if (sectionLength === null) return; // clean end between sections
      // CID (≤ ~70 bytes for sha2-512) plus the block.
      if (sectionLength === 0 || sectionLength > maxBlock + 128) {
        throw new CarFormatError(`section length ${sectionLength} out of range`);
      }
      const section = await reader.exactly(sectionLength, 'section');
      let cid: CID;
      let rest: Uint8Array;
      try {
        [cid, rest] = CID.decodeFirst(section);
      } catch (err) {
        throw new CarFormatError(`section has no valid CID (${(err as Error).message})`);
      }
      if (rest.byteLength > maxBlock) {
        throw new CarFormatError(`block ${cid.toString()} is ${rest.byteLength} bytes, limit ${maxBlock}`);
      }
      // Copy out of the shared read buffer so callers can keep blocks.
      yield { cid, bytes: rest.slice() };
    }
  }
  return { roots, blocks: blocks() };
}
