import { z } from 'zod';

export const WORKER_SORT_VALUES = ['registered', 'lastSeen'] as const;
export type WorkerSort = (typeof WORKER_SORT_VALUES)[number];

/**
 * A page cursor: the sort value and staking key of the last worker of the previous page, so a
 * page starts where the last one ended even when workers register meanwhile. Opaque to callers.
 */
export const WorkerCursorSchema = z.string().regex(/^-?\d{1,16}:[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'not a cursor from a previous page (nextAfter)');

export const ListWorkersInputSchema = z
  .object({
    limit: z.number().int().min(1).max(500).default(100),
    /** `registered`: oldest registration first (stable, for paging through all); `lastSeen`: most recently active first, never seen last. */
    sort: z.enum(WORKER_SORT_VALUES).default('registered'),
    /** The `nextAfter` of the previous page, with the same sort. */
    after: WorkerCursorSchema.optional(),
  })
  // Without input: the first page, oldest first (what `workers.list()` always meant).
  .prefault({});
export type ListWorkersInput = z.output<typeof ListWorkersInputSchema>;

/** How many workers there are, can work and were active lately: counted by SQL, not by listing them all. */
export interface WorkerSummary {
  registered: number;
  /** At or above the coordinator's minimum stake: these may claim work and audit. */
  staked: number;
  activeLast10Minutes: number;
}

export const ACTIVE_WITHIN_MS = 10 * 60_000;
