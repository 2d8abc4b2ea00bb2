/**
 * Base58 (Bitcoin alphabet: Solana/Koii keys and signatures), the same strings as the `bs58`
 * package, converted several digits at a time.
 *
 * Every signed call costs the worker one encoding of its 64-byte signature and the coordinator
 * one decoding. `bs58` (base-x) converts a byte at a time into base58 digits a digit at a time,
 * ~2,800 steps for a signature: 8.7 µs to encode, 5.4 µs to decode on the bench VM, about a tenth
 * of a worker's CPU per one-todo call. Here the number is held in limbs of 58⁴ (encoding) or 2¹⁶
 * (decoding) and fed 24 bits or five digits at a time: about a tenth of the steps, 3–6× faster
 * measured. Every intermediate value stays below 2⁵³, so plain numbers are exact. `bs58` stays
 * as the reference the property test compares against (test/shared/base58.property.test.ts).
 */

/** The base58 alphabet (Bitcoin/Solana), in digit order. */
export const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGIT_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE58_ALPHABET.length; i++) DIGIT_OF[BASE58_ALPHABET.charCodeAt(i)] = i;

const CODES = Array.from(BASE58_ALPHABET, (c) => c.charCodeAt(0));
/** Encoding keeps limbs of 58⁴ (< 2²⁴): a limb times 2²⁴ plus a carry stays under 2⁵³. */
const ENCODE_LIMB = 58 ** 4;
const LIMB_DIGIT_POWERS = [58 ** 3, 58 ** 2, 58, 1];
/** Decoding takes five digits at a time into 16-bit limbs: 2¹⁶ × 58⁵ < 2⁴⁶. */
const POWERS_OF_58 = [1, 58, 58 ** 2, 58 ** 3, 58 ** 4, 58 ** 5];

/** Base58 text of `bytes`: one '1' per leading zero byte, then the number's digits. */
export function encodeBase58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // The number in limbs of 58⁴, least significant first. Bytes go in three at a time, after the
  // one or two that make the rest a multiple of three (they are below 2¹⁶, so one limb).
  const limbs: number[] = [];
  let i = zeros;
  const lead = (bytes.length - zeros) % 3;
  if (lead > 0) {
    let value = 0;
    for (const end = i + lead; i < end; i++) value = value * 256 + bytes[i]!;
    limbs.push(value);
  }
  for (; i < bytes.length; i += 3) {
    let carry = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    for (let j = 0; j < limbs.length; j++) {
      const x = limbs[j]! * 16_777_216 + carry;
      carry = Math.floor(x / ENCODE_LIMB);
      limbs[j] = x - carry * ENCODE_LIMB;
    }
    while (carry > 0) {
      const next = Math.floor(carry / ENCODE_LIMB);
      limbs.push(carry - next * ENCODE_LIMB);
      carry = next;
    }
  }
  // Four digits per limb, most significant first; the top limb's leading zeros are not digits.
  const codes: number[] = [];
  for (let j = limbs.length - 1; j >= 0; j--) {
    const limb = limbs[j]!;
    for (const power of LIMB_DIGIT_POWERS) {
      const digit = Math.floor(limb / power) % 58;
      if (digit > 0 || codes.length > 0) codes.push(CODES[digit]!);
    }
  }
  let text = BASE58_ALPHABET[0]!.repeat(zeros);
  // In slices: a long legacy message would pass too many arguments at once.
  for (let at = 0; at < codes.length; at += 8192) text += String.fromCharCode(...codes.slice(at, at + 8192));
  return text;
}

/**
 * The bytes base58 `text` stands for: one zero byte per leading '1', then the number's bytes.
 * @throws Error naming the first character outside the alphabet.
 */
export function decodeBase58(text: string): Uint8Array {
  let zeros = 0;
  while (zeros < text.length && text.charCodeAt(zeros) === 49 /* '1' */) zeros++;
  // The number in 16-bit limbs, least significant first.
  const limbs: number[] = [];
  for (let i = zeros; i < text.length; ) {
    const take = Math.min(5, text.length - i);
    let chunk = 0;
    for (const end = i + take; i < end; i++) {
      const code = text.charCodeAt(i);
      const digit = code < 128 ? DIGIT_OF[code]! : -1;
      if (digit < 0) throw new Error(`not base58: ${JSON.stringify(text[i])} at position ${i}`);
      chunk = chunk * 58 + digit;
    }
    const multiplier = POWERS_OF_58[take]!;
    let carry = chunk;
    for (let j = 0; j < limbs.length; j++) {
      const x = limbs[j]! * multiplier + carry;
      carry = Math.floor(x / 65536);
      limbs[j] = x - carry * 65536;
    }
    while (carry > 0) {
      limbs.push(carry % 65536);
      carry = Math.floor(carry / 65536);
    }
  }
  let numberBytes = limbs.length * 2;
  if (limbs.length > 0 && limbs[limbs.length - 1]! < 256) numberBytes--;
  const out = new Uint8Array(zeros + numberBytes);
  let at = out.length - 1;
  for (const limb of limbs) {
    out[at--] = limb & 0xff;
    if (at >= zeros) out[at--] = limb >>> 8;
  }
  return out;
}

/** The `bs58` package's interface, for the modules that used it. */
export const base58 = { encode: encodeBase58, decode: decodeBase58 };
