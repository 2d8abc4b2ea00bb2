/**
 * Content type for plain (browser) responses from `/ipfs/{cid}`. CIDs carry no media type, so it
 * is sniffed from the bytes, like Kubo's gateway does.
 *
 * Deliberately never returns text/html, SVG or anything else a browser would execute: the gateway
 * shares an origin with the coordinator's dashboard, and anyone can put bytes on IPFS.
 */

const MAGIC: ReadonlyArray<[readonly number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
  [[0xff, 0xd8, 0xff], 'image/jpeg'],
  [[0x47, 0x49, 0x46, 0x38], 'image/gif'],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'application/pdf'],
  [[0x1f, 0x8b], 'application/gzip'],
  [[0x50, 0x4b, 0x03, 0x04], 'application/zip'],
];

const utf8 = new TextDecoder('utf-8', { fatal: true });

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.byteLength >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** Printable UTF-8 text (tabs and newlines allowed, other control characters not). */
function asText(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  return /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text) ? undefined : text;
}

export function sniffContentType(bytes: Uint8Array): string {
  if (bytes.byteLength === 0) return 'text/plain; charset=utf-8';
  for (const [magic, type] of MAGIC) if (startsWith(bytes, magic)) return type;
  const text = asText(bytes);
  if (text === undefined) return 'application/octet-stream';
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      JSON.parse(text);
      return 'application/json; charset=utf-8';
    } catch {
      // not JSON after all: plain text
    }
  }
  return 'text/plain; charset=utf-8';
}
