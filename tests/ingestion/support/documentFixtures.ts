import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractDocument, ExtractionError, type ExtractDocumentOptions } from '../../../server/src/ingestion/extract/index.js';

export const fixturesDir = fileURLToPath(new URL('../../fixtures/documents/', import.meta.url));

export function fixturePath(relative: string): string {
  return path.join(fixturesDir, relative);
}

export function readFixture(relative: string): Buffer {
  return readFileSync(fixturePath(relative));
}

export function readExpectedText(relative: string): string {
  return readFileSync(path.join(fixturesDir, 'expected', `${relative}.expected.txt`), 'utf8');
}

export interface ManifestRow {
  file: string;
  tags: string[];
  expectedText: string;
  redistributable: string;
}

export function readManifest(): ManifestRow[] {
  const [header, ...lines] = readFileSync(fixturePath('MANIFEST.tsv'), 'utf8').split('\n').filter((line) => line.trim() !== '');
  const columns = header!.split('\t');
  const column = (cells: string[], name: string) => cells[columns.indexOf(name)] ?? '';
  return lines.map((line) => {
    const cells = line.split('\t');
    return {
      file: column(cells, 'file'),
      tags: column(cells, 'tags').split(';').filter(Boolean),
      expectedText: column(cells, 'expected_text'),
      redistributable: column(cells, 'redistributable'),
    };
  });
}

/** A scratch directory for files a test builds; remove it with the returned cleanup. */
export async function scratchDirectory(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atrium-extract-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A scratch folder for the calling test file, made before its tests and
 * removed after them: `pathOf(name)` names a file in it, `write` creates one.
 */
export function useScratchFiles() {
  let scratch: Awaited<ReturnType<typeof scratchDirectory>> | undefined;
  beforeAll(async () => {
    scratch = await scratchDirectory();
  });
  afterAll(async () => {
    await scratch?.cleanup();
  });
  const pathOf = (name: string) => path.join(scratch!.dir, name);
  return {
    pathOf,
    async write(name: string, bytes: Buffer | string): Promise<string> {
      await writeFile(pathOf(name), bytes);
      return pathOf(name);
    },
  };
}

/** The manifest's expected snippet for a fixture; fails loudly if the row has none. */
export function manifestSnippet(file: string): string {
  const row = readManifest().find((candidate) => candidate.file === file);
  if (!row?.expectedText) throw new Error(`MANIFEST.tsv has no expected text for ${file}`);
  return row.expectedText;
}

/** The ExtractionError a file fails with; fails the test if extraction succeeds or throws anything else. */
export async function failureOf(file: string, options: ExtractDocumentOptions = {}): Promise<ExtractionError> {
  const error = await extractDocument(file, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ExtractionError);
  return error as ExtractionError;
}
