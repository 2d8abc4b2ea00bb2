CREATE INDEX `todos_in_review_idx` ON `todos` (`round`) WHERE status = 'in_review';--> statement-breakpoint
CREATE INDEX `submissions_pending_idx` ON `submissions` (`round`) WHERE status = 'pending';