/**
 * `npm run bench:import [rows]`: the peak memory of `grader import` on a metrics.jsonl of `rows`
 * lines (default 12 million: 33,000 sellers over 365 days), into the embedded DynamoDB Local. The
 * import runs as its own process, as an operator runs it; its peak resident set (VmHWM) is read
 * from /proc while it runs. The rows are valid rows of the synthetic marketplace stamped with
 * other sellers and dates, so their values have realistic sizes.
 */
import '../bin/cli/warnings';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedStore } from '../functions/local/embeddedStore';
import { rowsOver, syntheticMarketplace } from '../functions/local/syntheticMarketplace';
import { addDays } from '../lib/calendar';

const rows = Number(process.argv[2] ?? 12_000_000);
const days = 365;
const sellers = Math.ceil(rows / days);
const dir = mkdtempSync(join(tmpdir(), 'grader-bench-import-'));
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

try {
  let t = performance.now();
  const sample = syntheticMarketplace({ sellers: 60, from: '2026-01-01', to: '2026-03-31', seed: 4 });
  const bodies = [...rowsOver(sample, { start: '2026-01-01', end: '2026-03-31' })].map((r) => {
    const { sellerId: _s, date: _d, ...values } = r;
    return JSON.stringify(values).slice(1);
  });
  writeFileSync(join(dir, 'categories.jsonl'), `${sample.categories.map((c) => JSON.stringify(c)).join('\n')}\n`);
  const ids = Array.from({ length: sellers }, (_, i) => `s-${String(i).padStart(6, '0')}`);
  writeFileSync(
    join(dir, 'sellers.jsonl'),
    `${ids.map((sellerId, i) => JSON.stringify({ sellerId, categoryId: sample.categories[i % sample.categories.length]!.categoryId, storeType: 'official', openedOn: '2024-01-01' })).join('\n')}\n`,
  );
  const out = createWriteStream(join(dir, 'metrics.jsonl'));
  let written = 0;
  for (let d = 0; d < days && written < rows; d++) {
    const date = addDays('2025-10-01', d);
    let chunk = '';
    for (let s = 0; s < sellers && written < rows; s++, written++) {
      chunk += `{"sellerId":"${ids[s]}","date":"${date}",${bodies[(s * 31 + d) % bodies.length]}\n`;
    }
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  const size = statSync(join(dir, 'metrics.jsonl')).size;
  console.log(
    `data: ${written.toLocaleString('en-US')} metric rows of ${sellers.toLocaleString('en-US')} sellers, ${mb(size)}, written in ${((performance.now() - t) / 1000).toFixed(0)} s`,
  );

  const embedded = await startEmbeddedStore();
  try {
    t = performance.now();
    const child = spawn(
      process.execPath,
      [...(process.env.BENCH_NODE_OPTS ?? '').split(' ').filter(Boolean), '--import', 'tsx', 'bin/grader.ts', 'import', '--data', dir],
      {
        // BENCH_GRADER_CWD: another checkout's grader, to measure an earlier version against the same data
        cwd: process.env.BENCH_GRADER_CWD ?? process.cwd(),
        env: { ...process.env, GRADER_DYNAMODB_ENDPOINT: embedded.endpoint },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    let peak = 0;
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
      } catch {
        // the process has just exited
      }
    }, 250);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearInterval(poll);
    const seconds = (performance.now() - t) / 1000;
    if (code !== 0) throw new Error(`grader import exited with ${code}: ${stdout}`);
    console.log(stdout.trim());
    console.log(
      `grader import: ${seconds.toFixed(0)} s, peak resident memory ${mb(peak)} (${(peak / written).toFixed(0)} B a row), ${Math.round(written / seconds).toLocaleString('en-US')} rows/s`,
    );
  } finally {
    await embedded.stop();
  }
} finally {
  if (process.env.BENCH_KEEP) console.log(`data kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
