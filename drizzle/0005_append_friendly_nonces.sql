PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_nonces` (
	`issued_at` integer NOT NULL,
	`staking_key` text NOT NULL,
	`nonce` text NOT NULL,
	PRIMARY KEY(`issued_at`, `staking_key`, `nonce`)
);
--> statement-breakpoint
-- Old rows knew only when they expire (received + 2 x the default 120 s window); that instant minus
-- the window pair stands in for the signed timestamp, so they are purged when they used to be.
INSERT INTO `__new_nonces`("issued_at", "staking_key", "nonce") SELECT "expires_at" - 240000, "staking_key", "nonce" FROM `nonces`;--> statement-breakpoint
DROP TABLE `nonces`;--> statement-breakpoint
ALTER TABLE `__new_nonces` RENAME TO `nonces`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
DROP INDEX `assignments_key_idx`;--> statement-breakpoint
CREATE INDEX `assignments_key_idx` ON `assignments` (`staking_key`);