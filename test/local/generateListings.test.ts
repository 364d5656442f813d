import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../bin/cli/generate';
import { score } from '../../bin/cli/score';

const dir = mkdtempSync(join(tmpdir(), 'grader-generate-listings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('grader generate with listings', () => {
  it('writes listings.jsonl and listingMetrics.jsonl, which `grader score --job growth` reads day after day through grades.jsonl', async () => {
    const message = await generate({ sellers: '40', from: '2025-10-01', to: '2026-01-31', out: dir });
    expect(message).toMatch(/\d+ listings and \d+ listing rows/);
    expect(lines(join(dir, 'listings.jsonl')).length).toBeGreaterThanOrEqual(40 * 20);
    expect(lines(join(dir, 'listingMetrics.jsonl')).length).toBeGreaterThan(0);

    const first = join(dir, 'growth-2026-01-10.jsonl');
    const one = await score({ job: 'growth', period: '2026-01-10', data: dir, out: first });
    expect(one.quarantined).toBe(0);
    expect(one.byKind.listingStage).toBeGreaterThan(0);
    appendFileSync(join(dir, 'grades.jsonl'), readFileSync(first));

    // the next day reads the first day's records as the state in force: unchanged listings keep them
    const second = join(dir, 'growth-2026-01-11.jsonl');
    const two = await score({ job: 'growth', period: '2026-01-11', data: dir, out: second });
    expect(two.quarantined).toBe(0);
    const kept = lines(second).filter((r) => r.kind === 'listingStage' && r.asOf === '2026-01-10');
    expect(kept.length).toBeGreaterThan(0);
    const granted = lines(second).filter((r) => r.kind === 'listingIncentive' && r.grantedOn === '2026-01-10');
    expect(granted).toEqual([]);
  });
});
