-- Sign-in counts over a sliding window, one per username (known or not) and one per source
-- address, in place of the per-account columns and the address table: their counts had no window,
-- and a count at its maximum with no lock time refused sign-in for ever (issue 18, findings 2 and
-- 3). Each attempt is a row while it is inside its window; a key's row holds its lock. Locks carry
-- over; counts do not (they had no time, so they cannot be placed in a window).
-- +goose Up
CREATE TABLE IF NOT EXISTS `signin_counters` (
	`signin_key` text,
	`locked_until_ms` integer,
	`updated_at` datetime,
	PRIMARY KEY (`signin_key`)
);
CREATE TABLE IF NOT EXISTS `signin_attempts` (
	`attempt_id` text,
	`signin_key` text,
	`at_ms` integer,
	`failed` numeric,
	PRIMARY KEY (`attempt_id`, `signin_key`)
);
CREATE INDEX IF NOT EXISTS `idx_signin_attempts_key_at` ON `signin_attempts` (`signin_key`, `at_ms`);
INSERT INTO `signin_counters` (`signin_key`, `locked_until_ms`, `updated_at`)
	SELECT 'account:' || `username`, `locked_until_ms`, `updated_at` FROM `users` WHERE `locked_until_ms` > 0;
INSERT INTO `signin_counters` (`signin_key`, `locked_until_ms`, `updated_at`)
	SELECT 'address:' || `address`, `locked_until_ms`, `updated_at` FROM `address_lockouts` WHERE `locked_until_ms` > 0;
ALTER TABLE `users` DROP COLUMN `failed_attempts`;
ALTER TABLE `users` DROP COLUMN `locked_until_ms`;
DROP TABLE `address_lockouts`;

-- +goose Down
CREATE TABLE IF NOT EXISTS `address_lockouts` (
	`address` text,
	`failed_attempts` integer,
	`locked_until_ms` integer,
	`updated_at` datetime,
	PRIMARY KEY (`address`)
);
ALTER TABLE `users` ADD COLUMN `failed_attempts` integer;
ALTER TABLE `users` ADD COLUMN `locked_until_ms` integer;
UPDATE `users` SET `failed_attempts` = 0, `locked_until_ms` = COALESCE((SELECT c.`locked_until_ms` FROM `signin_counters` c
	WHERE c.`signin_key` = 'account:' || `users`.`username`), 0);
INSERT INTO `address_lockouts` (`address`, `failed_attempts`, `locked_until_ms`, `updated_at`)
	SELECT substr(`signin_key`, 9), 0, `locked_until_ms`, `updated_at` FROM `signin_counters`
	WHERE `signin_key` LIKE 'address:%' AND `locked_until_ms` > 0;
DROP TABLE IF EXISTS `signin_attempts`;
DROP TABLE IF EXISTS `signin_counters`;
