/** Parses the `img` field: an http(s) URL or a base64 data URL. Anything else is rejected early. */

export type ParsedImage =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; mediaType: string; data: string; url: string };

const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,([a-z0-9+/=\s]+)$/i;

export function parseImageRef(ref: string): ParsedImage | undefined {
  const trimmed = ref.trim();
  const data = DATA_URL.exec(trimmed);
  if (data) return { kind: 'base64', mediaType: data[1]!.toLowerCase(), data: data[2]!.replace(/\s+/g, ''), url: trimmed };
  try {
    const url = new URL(trimmed);
    if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'url', url: trimmed };
  } catch {
    // not a URL: fall through to "unsupported"
  }
  return undefined;
}

export const IMAGE_REF_HINT = 'an http(s) URL or a data:image/<type>;base64,<data> URL';
