import { createHash } from 'node:crypto';

/** Hex SHA-256 of the parts joined by NUL: the offline model's only source of "randomness". */
export function stableDigest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/** A 32-bit unsigned integer derived from the parts. */
export function stableInt(...parts: string[]): number {
  return Number.parseInt(stableDigest(...parts).slice(0, 8), 16);
}
