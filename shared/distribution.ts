import { base58 } from './base58.js';
import { z } from 'zod';
import { publicKeyFromBase58 } from './ed25519.js';
import { verifyCanonical } from './canonical-signature.js';
import { SignatureSchema, StakingKeySchema } from './envelope.js';

/** A round's payout list as the coordinator publishes it on IPFS; `signature` covers JCS(`list`). */
export const SignedDistributionSchema = z.object({
  list: z.object({
    taskId: z.string().min(1),
    round: z.number().int().min(0),
    /** Staking key → base units. */
    distribution: z.record(StakingKeySchema, z.number().int().min(0)),
    total: z.number().int().min(0),
  }),
  coordinatorKey: StakingKeySchema,
  signature: SignatureSchema,
});
export type SignedDistribution = z.infer<typeof SignedDistributionSchema>;

export interface DistributionCheck {
  /** The document, once it parsed as a payout list (even if a later check failed). */
  document: SignedDistribution | null;
  /** Empty when the list is authentic and consistent; else each thing wrong with it. */
  problems: string[];
}

/**
 * Everything a node runner can check of a payout list without trusting the coordinator that
 * served it: its shape, the coordinator's signature over its canonical JSON, the signer against
 * the key the runner expects, the task, and that the total is the sum of the amounts.
 */
export function checkDistribution(bytes: Uint8Array, expected: { coordinatorKey?: string; taskId?: string } = {}): DistributionCheck {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { document: null, problems: ['not a payout list: the file is not JSON text'] };
  }
  const parsed = SignedDistributionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { document: null, problems: [`not a payout list: ${issue.path.join('.') || '(document)'}: ${issue.message}`] };
  }
  const document = parsed.data;
  const problems: string[] = [];
  const signed = verifyCanonical(document.list, base58.decode(document.signature), publicKeyFromBase58(document.coordinatorKey));
  if (!signed) problems.push(`the signature does not verify: the list is not what ${document.coordinatorKey} signed`);
  if (expected.coordinatorKey !== undefined && expected.coordinatorKey !== document.coordinatorKey) {
    problems.push(`signed by ${document.coordinatorKey}, not by the coordinator key ${expected.coordinatorKey}`);
  }
  if (expected.taskId !== undefined && expected.taskId !== document.list.taskId) {
    problems.push(`for task ${document.list.taskId}, not ${expected.taskId}`);
  }
  const sum = Object.values(document.list.distribution).reduce((a, b) => a + b, 0);
  if (sum !== document.list.total) problems.push(`total ${document.list.total} is not the sum of the amounts (${sum})`);
  return { document, problems };
}
