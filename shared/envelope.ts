/**
 * Signed-envelope codec.
 *
 * tRPC API: input `{ payload, stakingKey, signature }`, where `signature` is the base58 of a
 * detached Ed25519 signature over the UTF-8 canonical JSON (RFC 8785 / JCS) of `payload`, made with
 * the worker's staking key. The payload always carries `action`, `taskId`, `timestamp` (ms) and
 * `nonce`.
 *
 * Legacy (Koii namespaceWrapper.payloadSigning) wire format: body `{ signature, stakingKey }` where
 * `signature` = base58(nacl.sign(utf8(JSON.stringify(payload)), secretKey)), an *attached*
 * signature (64-byte signature ‖ message). The server opens it and checks the fields inside.
 *
 * IMPORTANT when verifying envelopes parsed by zod: verify the signature over the payload exactly as
 * received. Zod strips unknown keys (default `z.object`) and applies defaults/transforms, so a
 * parsed payload can differ from the signed one. Verify the raw input (or use loose, transform-free
 * payload schemas).
 */
import { randomBytes } from 'node:crypto';
import { base58 } from './base58.js';
import { z } from 'zod';
import { BoundedMap } from './bounded-map.js';
import { signCanonical, verifyCanonical } from './canonical-signature.js';
import { BASE58_ALPHABET, BASE58_CHARS, signDetached, tryPublicKeyFromBase58, verifyDetached, SIGNATURE_LENGTH } from './ed25519.js';
import type { Keypair } from './keypair.js';

const utf8 = new TextEncoder();
const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

// ---------------------------------------------------------------------------------------------
// Detached envelopes
// ---------------------------------------------------------------------------------------------

export const SIGNED_META_KEYS = ['action', 'taskId', 'timestamp', 'nonce'] as const;
export type SignedMeta = { action: string; taskId: string; timestamp: number; nonce: string };

export type SignedEnvelope<P extends object = Record<string, unknown>> = {
  payload: P & SignedMeta;
  stakingKey: string;
  signature: string;
};

/** Nonce format: 16..64 base58 characters (newNonce() yields 22, about 129 random bits). */
export const NONCE_RE = new RegExp(`^[${BASE58_CHARS}]{16,64}$`);
/** A base58 Ed25519 public key is 32..44 characters. */
export const STAKING_KEY_RE = new RegExp(`^[${BASE58_CHARS}]{32,44}$`);
/** A base58 64-byte signature is about 86..88 characters; accept 80..100. */
export const SIGNATURE_RE = new RegExp(`^[${BASE58_CHARS}]{80,100}$`);

const NONCE_LENGTH = 22;
// Random bytes are drawn 4 KiB at a time: one randomBytes call per nonce cost more than the rest
// of building an envelope but the signature.
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function nextRandomByte(): number {
  if (randomOffset >= randomPool.length) {
    randomPool = randomBytes(4096);
    randomOffset = 0;
  }
  return randomPool[randomOffset++]!;
}

/** A fresh nonce: 22 uniformly random base58 characters (≈129 bits). */
export function newNonce(): string {
  let nonce = '';
  while (nonce.length < NONCE_LENGTH) {
    const byte = nextRandomByte();
    // 232 = 4 × 58: rejecting the top 24 values keeps every character equally likely.
    if (byte < 232) nonce += BASE58_ALPHABET[byte % 58];
  }
  return nonce;
}

/**
 * Sign `body` plus the signed metadata. `timestamp` defaults to Date.now(), `nonce` to newNonce().
 * Metadata fields override same-named fields of `body`.
 */
export function signEnvelope<P extends object>(
  body: P,
  meta: { action: string; taskId: string; timestamp?: number; nonce?: string },
  keypair: Keypair,
): SignedEnvelope<P> {
  const timestamp = meta.timestamp ?? Date.now();
  const nonce = meta.nonce ?? newNonce();
  if (typeof meta.action !== 'string' || meta.action.length === 0) throw new Error('signEnvelope: action must be a non-empty string');
  if (typeof meta.taskId !== 'string' || meta.taskId.length === 0) throw new Error('signEnvelope: taskId must be a non-empty string');
  if (!Number.isSafeInteger(timestamp)) throw new Error('signEnvelope: timestamp must be an integer (ms since epoch)');
  if (!NONCE_RE.test(nonce)) throw new Error('signEnvelope: nonce must be 16..64 base58 characters');
  const payload = { ...body, action: meta.action, taskId: meta.taskId, timestamp, nonce } as P & SignedMeta;
  return { payload, stakingKey: keypair.publicKeyBase58, signature: signCanonical(payload, keypair.secretKey) };
}

// The envelope schema decodes a call's signature to check its length and the signature check needs
// the same bytes a moment later. With the bs58 package a decoding took 5–8 µs for 88 characters
// and doing it twice was 4% of a signed call's server CPU; shared/base58.ts takes ~1 µs, and
// keeping the last few decodings still saves most of the second one.
const recentSignatures = new BoundedMap<string, Uint8Array>(256);

/** base58.decode for a string SIGNATURE_RE accepted, remembering the last few results. */
function decodeSignature(signature: string): Uint8Array {
  const known = recentSignatures.get(signature);
  if (known) return known.slice();
  const bytes = base58.decode(signature);
  recentSignatures.set(signature, bytes.slice());
  return bytes;
}

/**
 * True iff `signature` is a valid detached signature by `stakingKey` over JCS(`payload`).
 * Never throws: malformed base58, wrong lengths or non-JSON payloads give false.
 */
export function verifyEnvelopeSignature(env: { payload: unknown; stakingKey: string; signature: string }): boolean {
  try {
    if (env === null || typeof env !== 'object') return false;
    const { payload, stakingKey, signature } = env;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return false;
    if (typeof signature !== 'string' || !SIGNATURE_RE.test(signature)) return false;
    const publicKey = tryPublicKeyFromBase58(stakingKey);
    if (!publicKey) return false;
    return verifyCanonical(payload, decodeSignature(signature), publicKey);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Zod schemas
// ---------------------------------------------------------------------------------------------

export const StakingKeySchema = z
  .string()
  .regex(STAKING_KEY_RE, { message: 'must be a base58 Ed25519 public key', abort: true })
  .refine((s) => tryPublicKeyFromBase58(s) !== null, 'must decode to a 32-byte public key');

export const SignatureSchema = z
  .string()
  .regex(SIGNATURE_RE, { message: 'must be a base58 Ed25519 signature (80..100 characters)', abort: true })
  .refine((s) => decodeSignature(s).length === SIGNATURE_LENGTH, 'must decode to a 64-byte signature');

export const NonceSchema = z.string().regex(NONCE_RE, 'must be 16..64 base58 characters');

export const signedMetaShape = {
  action: z.string().min(1),
  taskId: z.string().min(1),
  timestamp: z.number().int(),
  nonce: NonceSchema,
};
type SignedMetaShape = typeof signedMetaShape;

/** Payload shape: the caller's shape plus the signed metadata fields it does not define itself. */
export type WithSignedMeta<Shape extends z.core.$ZodShape> = z.core.util.Extend<Shape, Omit<SignedMetaShape, keyof Shape>>;

/**
 * Zod schema for a signed envelope whose payload is `payloadSchema` plus the signed metadata
 * (`action`, `taskId`, `timestamp`, `nonce`). If `payloadSchema` already defines one of those keys
 * (e.g. `action: z.literal('claim')`), its definition is kept.
 *
 * Parsing checks shapes only; call verifyEnvelopeSignature on the raw input for the signature.
 */
export function signedEnvelopeSchema<Shape extends z.core.$ZodShape, Config extends z.core.$ZodObjectConfig>(
  payloadSchema: z.ZodObject<Shape, Config>,
) {
  const own = payloadSchema.shape as Record<string, unknown>;
  const missing: Record<string, z.ZodType> = {};
  for (const key of SIGNED_META_KEYS) {
    if (!Object.prototype.hasOwnProperty.call(own, key)) missing[key] = signedMetaShape[key];
  }
  const payload = payloadSchema.extend(missing) as unknown as z.ZodObject<WithSignedMeta<Shape>, Config>;
  return z.object({
    payload,
    stakingKey: StakingKeySchema,
    signature: SignatureSchema,
  });
}

/** Generic envelope: any payload keys are kept (loose), so the parsed payload can be verified. */
export const SignedEnvelopeBaseSchema = signedEnvelopeSchema(z.looseObject({}));
export type SignedEnvelopeBase = z.infer<typeof SignedEnvelopeBaseSchema>;

// ---------------------------------------------------------------------------------------------
// Legacy Koii attached signatures
// ---------------------------------------------------------------------------------------------

/**
 * Koii `namespaceWrapper.payloadSigning(payload, secretKey)`:
 * base58(nacl.sign(utf8(JSON.stringify(payload)), secretKey)), i.e. base58(signature ‖ message).
 * Built from the native detached signature; byte-identical to tweetnacl's attached form.
 */
export function signLegacy(payload: object, secretKey64: Uint8Array): string {
  const json = JSON.stringify(payload);
  if (typeof json !== 'string') throw new Error('signLegacy: payload has no JSON representation');
  const message = utf8.encode(json);
  const signature = signDetached(message, secretKey64);
  const signed = new Uint8Array(SIGNATURE_LENGTH + message.length);
  signed.set(signature, 0);
  signed.set(message, SIGNATURE_LENGTH);
  return base58.encode(signed);
}

export type OpenLegacyResult =
  | { ok: true; data: unknown; text: string }
  | { ok: false; reason: 'malformed' | 'invalid_signature' | 'not_json' };

/**
 * Default cap on the legacy signature length in characters. base58 decoding is quadratic, so an
 * unbounded input is a CPU-exhaustion vector; 8192 characters ≈ 6 KB of signed JSON (~9 ms here;
 * 35–45 ms with the bs58 package).
 */
export const LEGACY_SIGNATURE_MAX_CHARS = 8192;

/**
 * Open a Koii attached signature (Koii `verifySignature`, but with native verification): the first
 * 64 bytes are the signature, the rest is the signed UTF-8 JSON. Returns the parsed JSON and its
 * exact text. Never throws.
 */
export function openLegacy(
  signature: string,
  stakingKey: string,
  opts: { maxChars?: number } = {},
): OpenLegacyResult {
  const maxChars = opts.maxChars ?? LEGACY_SIGNATURE_MAX_CHARS;
  if (typeof signature !== 'string' || signature.length === 0 || signature.length > maxChars) {
    return { ok: false, reason: 'malformed' };
  }
  const publicKey = tryPublicKeyFromBase58(stakingKey);
  if (!publicKey) return { ok: false, reason: 'malformed' };
  let signed: Uint8Array;
  try {
    signed = base58.decode(signature);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (signed.length < SIGNATURE_LENGTH) return { ok: false, reason: 'malformed' };
  const message = signed.subarray(SIGNATURE_LENGTH);
  if (!verifyDetached(message, signed.subarray(0, SIGNATURE_LENGTH), publicKey)) {
    return { ok: false, reason: 'invalid_signature' };
  }
  let text: string;
  let data: unknown;
  try {
    text = utf8Fatal.decode(message);
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  return { ok: true, data, text };
}
