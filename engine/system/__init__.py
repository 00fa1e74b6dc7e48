"""The engine as a whole: its event log, disk usage (system df), what things are made of
(xray), store consistency (fsck), and whose objects are whose (lesson ownership)."""
