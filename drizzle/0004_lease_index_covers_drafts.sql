DROP INDEX `todos_lease_idx`;--> statement-breakpoint
CREATE INDEX `todos_lease_idx` ON `todos` (`lease_expires_at`) WHERE status IN ('in_progress', 'draft_pr_received');