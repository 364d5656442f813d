import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand, importCommand, runCommand } from '../../bin/cli/commands';
import { score } from '../../bin/cli/score';
import { scanAll } from '../../functions/data/query';
import { importData } from '../../functions/jobs/importData';
import { jobWindows } from '../../lib/jobs';
import { DEFAULT_POLICY } from '../../lib/policy';
import { beforeBatchWrites } from '../helpers/faultyStore';
import { smallMarket } from '../helpers/fixtures';
import { jsonl, readRecords as read } from '../helpers/jsonlFiles';
import { localStore } from '../helpers/localStore';
import { orderFeed, withoutOrderFields } from '../helpers/orderFeed';

/**
 * Inputs a hostile or broken source sends (issue 21): ids far beyond the identifier rule, a date
 * that sorts inside a window but is no calendar date, a folder imported twice. Every path must
 * quarantine them alike, store nothing it cannot hold, and write no valid line before the bad ones.
 */
const m = smallMarket(30, '2026-01-01', '2026-03-31', 3);
const orderSellers = m.market.sellers.filter((_, i) => i % 3 === 0).map((s) => s.sellerId);
const feed = orderFeed(orderSellers, { start: '2026-02-01', end: '2026-03-05' }, 5, 2);
const victim = m.market.sellers[1]!.sellerId;
const template = m.rows.find((r) => r.sellerId === victim)!;
const longOrder = { ...feed.orders[0]!, orderId: `o${'x'.repeat(1999)}` };
const hugeOrder = { ...feed.orders[0]!, orderId: 'y'.repeat(300_000) };
const hostileMetrics = [
  { ...template, sellerId: 'S'.repeat(1100) },
  // sorts between 2026-02-08 and 2026-03-09, the daily window of 2026-03-10, yet lies in no window
  { ...template, date: '2026-02-30' },
  { ...template, date: '2027-01-05' },
];
const dir = mkdtempSync(join(tmpdir(), 'grader-hostile-'));
writeFileSync(join(dir, 'categories.jsonl'), jsonl(m.market.categories));
writeFileSync(join(dir, 'sellers.jsonl'), jsonl(m.market.sellers));
writeFileSync(join(dir, 'metrics.jsonl'), jsonl([...withoutOrderFields(m.rows, new Set(orderSellers)), ...hostileMetrics]));
writeFileSync(join(dir, 'orders.jsonl'), jsonl([...feed.orders, longOrder, hugeOrder]));
writeFileSync(join(dir, 'exclusions.jsonl'), jsonl(feed.exclusions));

type Exit = { code?: number; stdout: string; stderr: string };
const grader = (args: string[], env: NodeJS.ProcessEnv) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/grader.ts', ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 26 }).catch(
    (e: Exit) => e,
  ) as Promise<Exit>;
const quarantineLines = (rows: { source?: unknown; key?: unknown; reason?: unknown }[]) =>
  rows.map((r) => JSON.stringify([r.source === 'metrics-undated' ? 'metrics' : r.source, (r.key as { line?: unknown }).line ?? null, r.reason])).sort();

let env: Awaited<ReturnType<typeof localStore>>;
let imported: Exit;
const storedQuarantine = async () => scanAll(env.store.doc, { TableName: env.store.tables.quarantine });

beforeAll(async () => {
  env = await localStore();
  process.env.GRADER_DYNAMODB_ENDPOINT = env.embedded.endpoint;
  imported = await grader(['import', '--data', dir], { GRADER_DYNAMODB_ENDPOINT: env.embedded.endpoint });
});

afterAll(async () => {
  delete process.env.GRADER_DYNAMODB_ENDPOINT;
  await env?.stop();
});

describe('hostile inputs through every path (SPEC §3.3, issue 21)', () => {
  it('an import with ids of 1,100, 2,000 and 300,000 characters exits 0 with its summary, and quarantines each with what was too long', async () => {
    expect(imported.stderr).not.toMatch(/ValidationException|\n\s+at /);
    expect(imported.code ?? 0).toBe(0);
    expect(imported.stdout).toMatch(/rows quarantined/);
    const items = await storedQuarantine();
    const byReason = (pattern: RegExp) => items.filter((i) => pattern.test(String(i.reason)));
    expect(byReason(/orderId is 2000 characters long; an identifier has at most 64/)).toHaveLength(1);
    expect(byReason(/orderId is 300000 characters long; an identifier has at most 64/)).toHaveLength(1);
    expect(byReason(/sellerId is 1100 characters long; an identifier has at most 64/)).toHaveLength(1);
    for (const i of items) {
      expect(Buffer.byteLength(String(i.rowKey))).toBeLessThan(1024);
      expect(JSON.stringify(i).length).toBeLessThan(4096);
    }
  });

  it('grader score quarantines the same lines with the same reasons as the import', async () => {
    const out = join(dir, 'score-daily.jsonl');
    await score({ job: 'daily', period: '2026-03-10', data: dir, out });
    const offline = read(out).filter((r) => r.kind === 'quarantine');
    const stored = await storedQuarantine();
    // the daily job reads only its windows; the import judges every line (SPEC §3.3)
    const windows = Object.values(jobWindows('daily', '2026-03-10', DEFAULT_POLICY)).filter((w) => w !== undefined);
    const inWindows = (date: string) => windows.some((w) => date >= w.start && date <= w.end);
    const inDailyScope = stored.filter((i) => i.source !== 'metrics' || inWindows(String(i.rowKey).slice(0, 10)));
    expect(quarantineLines(offline)).toEqual(quarantineLines(inDailyScope as never[]));
  });

  it('a row dated 2026-02-30 opens no dataQuality finding, offline or from the store, and both count it in the run', async () => {
    const out = join(dir, 'score-daily.jsonl');
    const summary = await score({ job: 'daily', period: '2026-03-10', data: dir, out });
    const offlineCheck = read(out).find((r) => r.kind === 'healthCheck' && r.sellerId === victim) as { findings: { id: string }[] } | undefined;
    expect(offlineCheck?.findings.map((f) => f.id) ?? []).not.toContain('dataQuality');

    const ran = await runCommand('daily', { date: '2026-03-10', reason: 'hostile inputs test' });
    expect(ran).toMatch(new RegExp(`succeeded; .* ${summary.quarantined} quarantined rows`));
    const exported = join(dir, 'health.jsonl');
    await exportCommand({ kind: 'healthCheck', out: exported });
    const storedCheck = read(exported).find((r) => r.sellerId === victim) as { findings: { id: string }[] } | undefined;
    expect(storedCheck?.findings.map((f) => f.id) ?? []).not.toContain('dataQuality');
  });

  it('importing the same folder again adds no quarantine item', async () => {
    const before = (await storedQuarantine()).length;
    expect(feed.orders.length).toBeGreaterThan(0);
    await importCommand({ data: dir });
    await importCommand({ data: dir });
    expect((await storedQuarantine()).length).toBe(before);
  });
});

describe('an import whose quarantine cannot be written', () => {
  it('fails before any valid line is stored', async () => {
    const fresh = await localStore();
    try {
      const store = beforeBatchWrites(fresh.store, (tables) => {
        if (tables.includes(fresh.store.tables.quarantine)) throw new Error('injected: the quarantine table refuses the write');
      });
      const failed = importData(
        store,
        { categories: m.market.categories, sellers: m.market.sellers, metrics: [...m.rows, ...hostileMetrics], orders: feed.orders },
        { policy: DEFAULT_POLICY, importId: 'refused', now: '2026-04-01T12:00:00Z' },
      );
      await expect(failed).rejects.toThrow(/injected/);
      for (const table of [fresh.store.tables.metrics, fresh.store.tables.sellers, fresh.store.tables.orders]) {
        expect(await scanAll(fresh.store.doc, { TableName: table })).toEqual([]);
      }
    } finally {
      await fresh.stop();
    }
  });
});
