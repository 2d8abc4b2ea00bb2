import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Rounds, submissions, audits and payouts (DESIGN §4). Work submitted in round r is audited in
 * round r+1; at the end of r+1 the votes are tallied and round r's distribution list written.
 */
export const ROUND_STATUSES = ['open', 'auditing', 'tallied'] as const;

export const rounds = sqliteTable('rounds', {
  number: integer('number').primaryKey(),
  startsAt: integer('starts_at').notNull(),
  endsAt: integer('ends_at').notNull(),
  status: text('status', { enum: ROUND_STATUSES }).notNull().default('open'),
  /** CID of the signed distribution list `{stakingKey: amount}` on IPFS, once tallied. */
  distributionCid: text('distribution_cid'),
  distributionSignature: text('distribution_signature'),
  talliedAt: integer('tallied_at'),
});

export const SUBMISSION_STATUSES = ['pending', 'approved', 'rejected'] as const;

export const submissions = sqliteTable(
  'submissions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    todoId: integer('todo_id').notNull(),
    assignmentId: integer('assignment_id'),
    round: integer('round').notNull(),
    stakingKey: text('staking_key').notNull(),
    /** CID of the signed submission record; what the worker submits. */
    submissionCid: text('submission_cid').notNull(),
    resultCid: text('result_cid'),
    prUrl: text('pr_url'),
    outputSha256: text('output_sha256'),
    record: text('record', { mode: 'json' }),
    status: text('status', { enum: SUBMISSION_STATUSES }).notNull().default('pending'),
    approvals: integer('approvals').notNull().default(0),
    rejections: integer('rejections').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    decidedAt: integer('decided_at'),
  },
  (t) => [
    uniqueIndex('submissions_cid_idx').on(t.submissionCid),
    index('submissions_round_idx').on(t.round, t.status),
    index('submissions_todo_idx').on(t.todoId),
    // A worker's own submissions by outcome (workers.earnings), without reading every submission.
    index('submissions_key_idx').on(t.stakingKey, t.status),
    // Submissions still to decide, which every round tick reads; decided ones are most of them.
    index('submissions_pending_idx').on(t.round).where(sql`status = 'pending'`),
  ],
);

export const AUDIT_STATUSES = ['assigned', 'voted', 'expired'] as const;
export const VOTES = ['approve', 'reject'] as const;

/** One audit assignment (and, once cast, its signed vote). */
export const audits = sqliteTable(
  'audits',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    submissionId: integer('submission_id').notNull(),
    auditorKey: text('auditor_key').notNull(),
    round: integer('round').notNull(),
    status: text('status', { enum: AUDIT_STATUSES }).notNull().default('assigned'),
    assignedAt: integer('assigned_at').notNull(),
    dueAt: integer('due_at').notNull(),
    vote: text('vote', { enum: VOTES }),
    reason: text('reason'),
    /** The auditor's signed vote envelope, kept so anyone can re-verify it. */
    signedVote: text('signed_vote', { mode: 'json' }),
    votedAt: integer('voted_at'),
  },
  (t) => [
    index('audits_auditor_idx').on(t.auditorKey, t.status),
    index('audits_submission_idx').on(t.submissionId),
    index('audits_due_idx').on(t.status, t.dueAt),
  ],
);

/** A round's distribution list: what each staking key earned. */
export const payouts = sqliteTable(
  'payouts',
  {
    round: integer('round').notNull(),
    stakingKey: text('staking_key').notNull(),
    amount: integer('amount').notNull(),
  },
  (t) => [primaryKey({ columns: [t.round, t.stakingKey] })],
);

/** Balances are the sum of a key's ledger entries (rewards positive, slashes negative). */
export const ledger = sqliteTable(
  'ledger',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    stakingKey: text('staking_key').notNull(),
    round: integer('round'),
    kind: text('kind', { enum: ['reward', 'slash', 'adjustment'] }).notNull(),
    amount: integer('amount').notNull(),
    submissionId: integer('submission_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('ledger_key_idx').on(t.stakingKey)],
);

/** Legacy Koii requests carry no nonce: the signature itself is the replay key, kept for good. */
export const legacyRequests = sqliteTable('legacy_requests', {
  signatureHash: text('signature_hash').primaryKey(),
  stakingKey: text('staking_key').notNull(),
  action: text('action').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** `add-failed-info`: errors workers report about a todo. */
export const todoErrors = sqliteTable(
  'todo_errors',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    todoId: integer('todo_id'),
    bountyId: text('bounty_id'),
    stakingKey: text('staking_key').notNull(),
    error: text('error').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('todo_errors_todo_idx').on(t.todoId)],
);
