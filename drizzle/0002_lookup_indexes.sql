CREATE INDEX `assignments_key_idx` ON `assignments` (`staking_key`,`outcome`);--> statement-breakpoint
CREATE INDEX `todos_holder_idx` ON `todos` (`holder_key`,`status`);--> statement-breakpoint
CREATE INDEX `todos_bounty_idx` ON `todos` (`bounty_id`);