import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStore } from '../helpers/localStore';

type Exit = { code?: number; stdout: string; stderr: string };
let env: Awaited<ReturnType<typeof localStore>>;
const dir = mkdtempSync(join(tmpdir(), 'grader-outputs-'));
const grader = (args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/grader.ts', ...args], {
    env: { ...process.env, GRADER_DYNAMODB_ENDPOINT: env.embedded.endpoint },
  }).catch((e: Exit) => e) as Promise<Exit>;

beforeAll(async () => {
  env = await localStore();
}, 120_000);

afterAll(async () => {
  await env?.stop();
});

describe('a file the CLI cannot write', () => {
  it('is one line naming the file and exit 2 for grader export, not a stream error stack', async () => {
    const out = await grader(['export', '--kind', 'status', '--format', 'csv', '--out', '/nonexistent/dir/x.csv']);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n')).toEqual([expect.stringContaining('/nonexistent/dir/x.csv')]);
    expect(out.stderr).toMatch(/ENOENT/);
  });

  it('is one line naming the file and exit 2 for grader report', async () => {
    const records = join(dir, 'empty.jsonl');
    writeFileSync(records, '');
    const out = await grader(['report', '--records', records, '--out', '/nonexistent/dir/report.html']);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n')).toEqual([expect.stringContaining('/nonexistent/dir/report.html')]);
  });
});
