import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { fixturePath, scratchDirectory } from './support/documentFixtures.js';

// Production runs the tsc output from server/dist, where the extraction child is
// a .js file started without tsx. Build the extraction module the same way into
// a scratch directory and run it with plain node.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const extractDir = path.join(repoRoot, 'server/src/ingestion/extract');

let scratch: Awaited<ReturnType<typeof scratchDirectory>>;
let distIndex: string;

beforeAll(async () => {
  scratch = await scratchDirectory();
  const outDir = path.join(scratch.dir, 'dist');
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(repoRoot, 'server/tsconfig.json'),
    { outDir, sourceMap: false, noEmit: false },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(String(diagnostic.messageText)); } },
  );
  if (!config) throw new Error('server/tsconfig.json could not be read');
  const program = ts.createProgram({
    rootNames: [path.join(extractDir, 'index.ts'), path.join(extractDir, 'sandbox/extractionChild.ts')],
    options: config.options,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  expect(diagnostics).toEqual([]);
  expect(program.emit().emitSkipped).toBe(false);
  // What server/dist has around it: an ESM package and the workspace's node_modules.
  await writeFile(path.join(scratch.dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await symlink(path.join(repoRoot, 'node_modules'), path.join(scratch.dir, 'node_modules'), 'dir');
  distIndex = path.join(outDir, 'ingestion/extract/index.js');
}, 60_000);

afterAll(async () => {
  await scratch.cleanup();
});

const runner = `
const { extractDocument } = await import(process.argv[2]);
const outcome = async (file, options) => {
  try {
    const result = await extractDocument(file, options);
    return { kind: result.kind, pages: result.pages, first: result.spans[0] };
  } catch (error) {
    return { code: error.code };
  }
};
const [pdf, docx, encrypted, timeout] = await Promise.all([
  outcome(process.argv[3]),
  outcome(process.argv[4]),
  outcome(process.argv[5]),
  outcome(process.argv[3], { timeoutMs: 1 }),
]);
process.stdout.write(JSON.stringify({ pdf, docx, encrypted, timeout }));
`;

describe('extraction from compiled JavaScript', () => {
  it('runs the .js child with plain node', async () => {
    const runnerFile = path.join(scratch.dir, 'runner.mjs');
    await writeFile(runnerFile, runner);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        runnerFile,
        distIndex,
        fixturePath('pdf/pdfjs__helloworld-bad.pdf'),
        fixturePath('docx/mammoth__single-paragraph.docx'),
        fixturePath('pdf/unstructured__password.pdf'),
      ],
      { cwd: scratch.dir, timeout: 30_000 },
    );
    expect(JSON.parse(stdout)).toEqual({
      pdf: { kind: 'pdf', pages: 1, first: { text: 'Hello, world!', page: 1 } },
      docx: { kind: 'docx', first: { text: 'Walking on imported air' } },
      encrypted: { code: 'encrypted' },
      timeout: { code: 'timeout' },
    });
  }, 30_000);
});
