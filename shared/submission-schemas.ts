import { z } from 'zod';
import { TodoIdSchema } from './todo-schemas.js';

/** A CID as text (validated by the IPFS layer where it matters). */
export const CidTextSchema = z.string().regex(/^(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{20,})$/, 'must be a CIDv0 or base32 CIDv1');

/**
 * The submission record a worker signs and stores on IPFS (DESIGN §4); its CID is what it submits.
 * Stored as `{ record, signature }` where `signature` is a detached ed25519 signature (base58)
 * over the RFC 8785 canonical JSON of `record`, by `record.stakingKey`.
 */
export const SubmissionRecordSchema = z.object({
  taskId: z.string().min(1),
  todoId: TodoIdSchema,
  round: z.number().int().min(0),
  stakingKey: z.string().min(32).max(44),
  /** Main wallet public key (base58), as upstream carries it; informational. */
  pubKey: z.string().min(32).max(44).optional(),
  resultCid: CidTextSchema,
  prUrl: z.url().optional(),
  githubUsername: z.string().optional(),
  /** sha256 (hex) of the stored output bytes. */
  outputSha256: z.string().regex(/^[0-9a-f]{64}$/),
  usage: z.object({ inputTokens: z.number().int().min(0), outputTokens: z.number().int().min(0) }).optional(),
});
export type SubmissionRecord = z.output<typeof SubmissionRecordSchema>;

export const SignedSubmissionSchema = z.object({
  record: SubmissionRecordSchema,
  signature: z.string().min(80).max(100),
});
export type SignedSubmission = z.output<typeof SignedSubmissionSchema>;

export const SubmitPayloadSchema = z.object({
  todoId: TodoIdSchema,
  round: z.number().int().min(0),
  submissionCid: CidTextSchema,
  prUrl: z.url().max(500).optional(),
});

export const AuditClaimPayloadSchema = z.object({
  max: z.number().int().min(1).max(50).default(5),
});

export const VotePayloadSchema = z.object({
  auditId: z.number().int().positive(),
  vote: z.enum(['approve', 'reject']),
  reason: z.string().min(1).max(2000),
});

/** Uploads to the coordinator's IPFS store (the embedded default has no daemon of its own). */
export const IpfsAddPayloadSchema = z.object({
  /** File bytes, base64. The body limit bounds it. */
  contentBase64: z.string().max(8 * 1024 * 1024),
  cidVersion: z.union([z.literal(0), z.literal(1)]).default(1),
});

/**
 * A legacy (Koii) submission on IPFS. A Koii worker signs no submission record; its proof is its
 * own attached signature over the add-round-number request naming the PR, stored here by the
 * coordinator and opened by auditors with the worker's key.
 */
export interface LegacySubmissionRecord {
  legacy: true;
  taskId: string;
  todoId: number;
  round: number;
  stakingKey: string;
  prUrl: string;
  githubUsername: string | null;
  signedRequest: { action: string; signature: string };
}
