import { z } from 'zod';
import { SwarmSpecSchema, SwarmTypeSchema } from './swarm-spec.js';

/** Integer base units (1 SWARMS = 10^9), never floats. */
export const BaseUnitsSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const RepoSlugSchema = z
  .string()
  .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'expected "owner/name"');

export const TodoIdSchema = z.number().int().positive();

/** Priority range of a todo (higher is claimed first). */
export const PrioritySchema = z.number().int().min(-1000).max(1000);

export const CreateTodoInputSchema = z.object({
  spec: SwarmSpecSchema,
  repo: RepoSlugSchema.optional(),
  reward: BaseUnitsSchema.optional(),
  priority: PrioritySchema.default(0),
  /** Creating twice with the same key returns the first todo instead of a second one. */
  dedupeKey: z.string().min(1).max(200).optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
  /** Upstream bounty id (legacy `swarmBountyId`); defaults to the todo id. */
  bountyId: z.string().min(1).max(200).optional(),
});
export type CreateTodoInput = z.output<typeof CreateTodoInputSchema>;

/** Todos per `todos.createMany` call (a bulk import sends several calls). */
export const MAX_TODOS_PER_CREATE = 1000;
export const CreateTodosInputSchema = z.object({
  todos: z.array(CreateTodoInputSchema).min(1).max(MAX_TODOS_PER_CREATE),
});

export const TODO_STATUS_VALUES = [
  'initialized',
  'in_progress',
  'draft_pr_received',
  'pr_received',
  'submitted',
  'in_review',
  'done',
  'failed',
  'cancelled',
] as const;

export const ListTodosInputSchema = z.object({
  status: z.enum(TODO_STATUS_VALUES).optional(),
  /** Only todos of this swarm type (a spec without one counts as the type it runs as). */
  swarmType: SwarmTypeSchema.optional(),
  /** Only todos for this repository. */
  repo: RepoSlugSchema.optional(),
  limit: z.number().int().min(1).max(500).default(50),
  /** Page cursor: todos with an id below this one (lists are newest first). */
  beforeId: z.number().int().positive().optional(),
});
export type ListTodosInput = z.output<typeof ListTodosInputSchema>;

/**
 * `todos.update`: what an operator may change on a todo after creating it. Each field has the
 * statuses it may change in (see server/queue/update-todo.ts); at least one field is given.
 */
export const UpdateTodoInputSchema = z
  .object({
    id: TodoIdSchema,
    priority: PrioritySchema.optional(),
    reward: BaseUnitsSchema.optional(),
    /** When it may be claimed, ms since the epoch (now or earlier: at once; later: it waits, like a scheduled todo). */
    availableAt: z.number().int().min(0).max(8.64e15).optional(),
  })
  .refine((input) => input.priority !== undefined || input.reward !== undefined || input.availableAt !== undefined, {
    message: 'nothing to change: give priority, reward or availableAt',
  });
export type UpdateTodoInput = z.output<typeof UpdateTodoInputSchema>;

/** `todos.cancelMatching`: queued or held todos by status, type and repository, oldest first; `all` when no filter is given. */
export const CancelMatchingInputSchema = z
  .object({
    status: z.enum(['initialized', 'in_progress']).optional(),
    swarmType: SwarmTypeSchema.optional(),
    repo: RepoSlugSchema.optional(),
    /** Without a filter, every queued and held todo: said explicitly, so a forgotten flag cancels nothing. */
    all: z.boolean().default(false),
    limit: z.number().int().min(1).max(10_000).default(1000),
    dryRun: z.boolean().default(false),
  })
  .refine((input) => input.all || input.status !== undefined || input.swarmType !== undefined || input.repo !== undefined, {
    message: 'name what to cancel (status, swarmType or repo), or all: true for every queued and held todo',
  });
export type CancelMatchingInput = z.input<typeof CancelMatchingInputSchema>;

/** `todos.redriveFailed`: failed todos back in the queue, filtered, oldest failure first. */
export const RedriveFailedInputSchema = z.object({
  failedSince: z.number().int().min(0).optional(),
  errorContains: z.string().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(10_000).default(1000),
  dryRun: z.boolean().default(false),
});
export type RedriveFailedInput = z.input<typeof RedriveFailedInputSchema>;

export const LeaseRefSchema = z.object({
  todoId: TodoIdSchema,
  leaseToken: z.string().min(16).max(64),
});

/**
 * The work a node takes, sent with each claim (its choice: what pays enough, what it runs well).
 * Unset fields take anything; a spec without swarm_type counts as the type it runs as.
 */
export const ClaimFilterSchema = z.object({
  /** Only todos whose reward is at least this many base units. */
  minReward: BaseUnitsSchema.optional(),
  /** Only todos of these swarm types. */
  swarmTypes: z.array(SwarmTypeSchema).min(1).max(20).optional(),
});
export type ClaimFilter = z.output<typeof ClaimFilterSchema>;

export const ClaimPayloadSchema = ClaimFilterSchema.extend({
  /** How many todos to claim in this one round trip (fills a worker's spare capacity). */
  max: z.number().int().min(1).max(100).default(1),
  githubUsername: z.string().min(1).max(39).optional(),
});

export const HeartbeatPayloadSchema = z.object({
  leases: z.array(LeaseRefSchema).min(1).max(100),
});

export const ResultReportSchema = LeaseRefSchema.extend({
  result: z.unknown().optional(),
  prUrl: z.url().max(500).optional(),
});

export const ReportResultsPayloadSchema = z.object({
  results: z.array(ResultReportSchema).min(1).max(100),
});

/** Finished work plus the next claim, in one round trip (`results` may be empty). */
export const ReportAndClaimPayloadSchema = ClaimPayloadSchema.extend({
  results: z.array(ResultReportSchema).max(100).default([]),
});

export const ReportFailuresPayloadSchema = z.object({
  failures: z.array(LeaseRefSchema.extend({ error: z.string().min(1).max(4000) })).min(1).max(100),
});

export const ReleasePayloadSchema = z.object({
  leases: z.array(LeaseRefSchema).min(1).max(100),
});

/**
 * Work a node will not do, said before it spends anything on it (it cannot serve a model the
 * spec names, the work is over its budget): the todo goes back to the queue with its attempt
 * refunded, and is never offered to this key again.
 */
export const DeclinePayloadSchema = z.object({
  declines: z.array(LeaseRefSchema.extend({ reason: z.string().min(1).max(1000) })).min(1).max(100),
});

/** Per-lease outcome of a batch call; a lost lease is reported, not thrown, so one stale item cannot sink a batch. */
export type LeaseOutcome =
  /** `status`: where a failed, released or declined todo went (back to the queue, or failed after its last attempt). */
  | { todoId: number; ok: true; leaseExpiresAt?: number; status?: 'initialized' | 'failed' }
  | { todoId: number; ok: false; reason: 'LEASE_LOST' };
