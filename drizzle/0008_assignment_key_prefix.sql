DROP INDEX `assignments_key_idx`;--> statement-breakpoint
CREATE INDEX `assignments_key_idx` ON `assignments` (substr(`staking_key`, 1, 8));
