import { z } from 'zod';

/** Events one `events.find` call looks through at most: a bounded scan keeps the server responsive. */
export const EVENT_SCAN_WINDOW = 50_000;

export const EVENT_SEARCH_ENDS = ['oldest', 'newest'] as const;

export const FindEventsInputSchema = z
  .object({
    /** Type prefixes, any of which matches (`todo.` matches every todo event; `todo.failed` one type). */
    types: z.array(z.string().min(1).max(100)).min(1).max(20).optional(),
    todoId: z.number().int().positive().optional(),
    /** Only events after this id (exclusive); 0, the default, is the start of the log. */
    afterId: z.number().int().min(0).default(0),
    /** Only events before this id (exclusive); default: up to the newest. */
    beforeId: z.number().int().positive().optional(),
    /** Only events written at or after this time (ms since the epoch), found by the log's order. */
    since: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(1000).default(100),
    /** Which end to start from: `newest` finds the latest matches (for "the last N"), `oldest` reads forward. */
    from: z.enum(EVENT_SEARCH_ENDS).default('oldest'),
  })
  .prefault({});
export type FindEventsInput = z.output<typeof FindEventsInputSchema>;
/** What a caller passes (defaults not yet filled in). */
export type FindEventsQuery = z.input<typeof FindEventsInputSchema>;
