// Only `prisma generate` runs here (see scripts/prisma-generate.mjs); the
// project applies migrations itself, so no datasource URL is needed.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
