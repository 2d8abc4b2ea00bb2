/**
 * The coordinator's tables (DESIGN §3), one file per domain under schema/. Times are integer
 * milliseconds since the epoch (`timestamp_ms` is never mixed with seconds); money is integer
 * base units (1 SWARMS = 10^9). drizzle-kit reads this file to generate migrations.
 */
export * from './schema/queue.js';
export * from './schema/auth.js';
export * from './schema/events.js';
export * from './schema/ipfs.js';
export * from './schema/swarms.js';
export * from './schema/rounds.js';
