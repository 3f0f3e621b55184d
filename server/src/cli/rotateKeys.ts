// `npm run keys:rotate`: after MASTER_KEY is set to a new key and the old one
// moved to MASTER_KEY_PREVIOUS, re-wraps every stored API key's data key under
// the new MASTER_KEY. Row by row, so running servers keep working meanwhile.
// Afterwards remove MASTER_KEY_PREVIOUS and restart.
import 'dotenv/config';
import { ConfigError, loadConfig } from '../config/index.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrator.js';
import { AuditLog } from '../governance/auditLog.js';
import { KeyVault, KeyVaultError } from '../governance/keyVault.js';
import { rewrapApiKeys } from '../governance/keyVaultRotation.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const keyVault = KeyVault.fromBase64(config.masterKey, config.masterKeyPrevious);
  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    const summary = await rewrapApiKeys({ prisma: db.prisma, audit: new AuditLog(db.prisma), keyVault });
    console.log(`Master key ${keyVault.currentKeyId}: ${summary.rewrapped} API key(s) re-wrapped, ${summary.alreadyCurrent} already current.`);
    if (summary.failed.length) {
      for (const f of summary.failed) console.error(`  key ${f.id}: ${f.reason}`);
      console.error(`${summary.failed.length} key(s) could not be re-wrapped; keep MASTER_KEY_PREVIOUS until they are fixed (add the key that wrapped them, or rotate those keys in the console).`);
      process.exitCode = 2;
    } else {
      console.log('Every stored API key now opens with MASTER_KEY. Remove MASTER_KEY_PREVIOUS and restart the server and workers.');
    }
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof KeyVaultError || error instanceof Error ? error.message : error);
  process.exit(1);
});
