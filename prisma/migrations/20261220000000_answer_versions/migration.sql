-- Answer versions: the branch shown is stored, so a reload or another device
-- shows the versions the user chose. It names the branch's last message; a
-- plain column (no foreign key) because messages already reference their
-- conversation, and a missing or stale id falls back to the newest leaf.
ALTER TABLE "conversations" ADD COLUMN "active_leaf_id" UUID;
