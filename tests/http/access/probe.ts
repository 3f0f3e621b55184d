import type { PrismaClient } from '../../../server/src/db/database.js';

// The access matrix is assembled from one `<area>.probes.ts` module per part of
// the API, so each area adds its routes (and the records they act on) without
// touching the others. access.test.ts loads every such module in this folder.

export type Role = 'anonymous' | 'user' | 'manager' | 'admin';

/** Records every area can act on, created afresh for each role. */
export interface BaseIds {
  /** The signed-in actor (for anonymous, some other user). */
  self: string;
  other: string;
  /** A group the actor manages (a staff actor is merely a member in effect). */
  managedGroup: string;
  otherGroup: string;
  member: string;
  /** An assistant shared with managedGroup. */
  assistant: string;
  file: string;
}

export interface ProbeContext {
  prisma: PrismaClient;
  role: Role;
  ids: BaseIds;
  /** The uploads folder of the app under test, for records that need stored files. */
  uploadsDir: string;
}

export type Ids = BaseIds & Record<string, string>;

export interface Probe {
  path: (ids: Ids) => string;
  body?: (ids: Ids) => object;
  /** Sent as a multipart upload of a small text file in this field instead of JSON. */
  upload?: string;
  /** The uploaded file when a small text file would not be a valid request (e.g. an image). */
  uploadFile?: () => { content: Buffer; name: string };
  expect: Record<Exclude<Role, 'anonymous'>, number>;
}

export interface ProbeArea {
  /** Creates the records this area's probes need; the ids are merged into `Ids`. */
  setup?: (ctx: ProbeContext) => Promise<Record<string, string>>;
  probes: Record<string, Probe>;
  /** Operations of this area that anyone may call (no token): left out of the matrix, checked by the area's own tests. */
  public?: string[];
  /** Areas run in ascending order; destructive areas go last. Default 50. */
  order?: number;
}
