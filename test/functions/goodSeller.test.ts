import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importData } from '../../functions/jobs/importData';
import { localContext } from '../../functions/local/simulate';
import { operatorHandler } from '../../functions/operator';
import { scheduledJobHandler } from '../../functions/scheduledJob';
import { addDays } from '../../lib/calendar';
import { DEFAULT_POLICY } from '../../lib/policy';
import { importMarket, smallMarket } from '../helpers/fixtures';
import { gradesStream, memoryStore } from '../helpers/localStore';

const m = smallMarket(120, '2026-01-01', '2026-07-31', 11);
let env: Awaited<ReturnType<typeof memoryStore>>;
let stream: Awaited<ReturnType<typeof gradesStream>>;
const daily = (date: string) => scheduledJobHandler(() => env.deps)({ job: 'daily', scheduledTime: `${date}T10:00:00Z` }, localContext('t'));
const operator = (payload: Record<string, unknown>) => operatorHandler(() => env.deps)(payload, localContext('t'));

// A new store opened 2026-01-03 whose grant, approved 2026-01-20, expires on 2026-07-19 (approvedOn + 180 days).
const newcomer = { sellerId: 'gs-new', categoryId: m.market.categories[0]!.categoryId, storeType: 'brand' as const, openedOn: '2026-01-03' };
const grant = { sellerId: 'gs-new', appliedOn: '2026-01-15', approvedOn: '2026-01-20', approvedBy: 'ops-li' };

beforeAll(async () => {
  env = await memoryStore();
  await importMarket(env.store, m);
  const rows = m.rows.filter((r) => r.sellerId === m.market.sellers[0]!.sellerId).map((r) => ({ ...r, sellerId: 'gs-new' }));
  await importData(env.store, { sellers: [newcomer], metrics: rows, grants: [grant] }, { policy: DEFAULT_POLICY, importId: 'gs', now: '2026-08-01T00:00:00Z' });
  stream = await gradesStream(env.store, env.embedded.endpoint);
  await stream.drain();
});

afterAll(async () => {
  stream?.close();
  await env?.stop();
});

describe('a China Good Seller grant', () => {
  it('covers its 180th day and expires on approvedOn + 180 days, when the daily job marks it expired', async () => {
    const expiresOn = addDays(grant.approvedOn, 180);
    expect(expiresOn).toBe('2026-07-19');
    await daily(addDays(expiresOn, -1));
    const before = (await stream.drain()).filter((c) => c.newRecord?.sellerId === 'gs-new');
    const statusBefore = before.find((c) => c.newRecord?.kind === 'status')?.newRecord;
    expect(statusBefore).toMatchObject({
      goodSeller: { status: 'active', expiresOn },
      merchantTier: { effective: 'silver', source: 'goodSeller' },
      frontBadge: 'silver',
    });

    await daily(expiresOn);
    const on = (await stream.drain()).filter((c) => c.newRecord?.sellerId === 'gs-new');
    const grantChange = on.find((c) => c.newRecord?.kind === 'goodSellerGrant');
    expect(grantChange).toMatchObject({ eventName: 'MODIFY', oldRecord: { status: 'active' }, newRecord: { status: 'expired', endedOn: expiresOn } });
    expect(on.find((c) => c.newRecord?.kind === 'status')?.newRecord).toMatchObject({
      goodSeller: { status: 'expired' },
      merchantTier: { effective: 'ordinary' },
      frontBadge: null,
    });

    await daily(addDays(expiresOn, 1));
    expect((await stream.drain()).filter((c) => c.newRecord?.kind === 'goodSellerGrant')).toEqual([]);
  });

  it('is refused with every failed reason, and nothing written, for an old store without the sales', async () => {
    const old = m.market.sellers.find((s) => s.openedOn < '2025-01-01')!;
    const response = await operator({
      action: 'approveGoodSeller',
      sellerId: old.sellerId,
      appliedOn: '2026-07-01',
      approvedOn: '2026-07-05',
      approvedBy: 'ops-li',
    });
    expect(response.ok).toBe(false);
    const failed = (response as { failed: { id: string }[] }).failed.map((f) => f.id);
    expect(failed).toContain('storeAge');
    expect(await stream.drain()).toEqual([]);
  });

  it('is refused for a seller that already had a grant', async () => {
    const response = await operator({
      action: 'approveGoodSeller',
      sellerId: 'gs-new',
      appliedOn: '2026-07-20',
      approvedOn: '2026-07-25',
      approvedBy: 'ops-li',
    });
    expect(response).toMatchObject({ ok: false });
    expect((response as { failed: { id: string }[] }).failed.map((f) => f.id)).toContain('previousGrant');
    expect(await stream.drain()).toEqual([]);
  });

  it('is approved for an eligible new store, shows silver, and can be revoked', async () => {
    const rows = m.rows
      .filter((r) => r.sellerId === m.market.sellers[1]!.sellerId && r.date >= '2026-06-01')
      .map((r) => ({
        ...r,
        sellerId: 'gs-fresh',
        orders: r.orders + 20,
        gmvCents: r.gmvCents + 20 * 1500,
        ratings: r.ratings + 10,
        positiveRatings: r.positiveRatings + 10,
        closedOrders: r.closedOrders + 10,
      }));
    await importData(
      env.store,
      { sellers: [{ ...newcomer, sellerId: 'gs-fresh', openedOn: '2026-05-20' }], metrics: rows },
      { policy: DEFAULT_POLICY, importId: 'gs2', now: '2026-08-01T00:00:00Z' },
    );
    const approved = await operator({
      action: 'approveGoodSeller',
      sellerId: 'gs-fresh',
      appliedOn: '2026-07-01',
      approvedOn: '2026-07-05',
      approvedBy: 'ops-li',
      asOf: '2026-07-05',
    });
    expect(approved).toMatchObject({ ok: true, grant: { status: 'active', expiresOn: '2027-01-01' } });
    const changes = await stream.drain();
    expect(changes.find((c) => c.newRecord?.kind === 'status')?.newRecord).toMatchObject({
      sellerId: 'gs-fresh',
      merchantTier: { effective: 'silver', source: 'goodSeller' },
    });

    const revoked = await operator({ action: 'revokeGoodSeller', sellerId: 'gs-fresh', on: '2026-07-20', by: 'ops-li', asOf: '2026-07-20' });
    expect(revoked).toMatchObject({ ok: true, grant: { status: 'revoked', endedOn: '2026-07-20', revokedBy: 'ops-li' } });
    const after = await stream.drain();
    expect(after.find((c) => c.newRecord?.kind === 'status')?.newRecord).toMatchObject({
      goodSeller: { status: 'revoked' },
      merchantTier: { effective: 'ordinary' },
    });
  });
});

describe('store programs', () => {
  it('shows PLUS for a MALL store without changing its merchant tier, and JBP above it', async () => {
    const sellerId = m.market.sellers[2]!.sellerId;
    await operator({ action: 'setProgram', sellerId, program: 'mall', on: '2026-07-01', by: 'ops-li', asOf: '2026-07-02' });
    const mall = (await stream.drain()).find((c) => c.newRecord?.kind === 'status')!.newRecord!;
    expect(mall).toMatchObject({ mall: true, frontBadge: 'plus' });
    await operator({ action: 'setProgram', sellerId, program: 'jbp', on: '2026-07-01', by: 'ops-li', asOf: '2026-07-02' });
    const jbp = (await stream.drain()).find((c) => c.newRecord?.kind === 'status')!.newRecord!;
    expect(jbp).toMatchObject({ mall: true, jbp: true, frontBadge: 'jbp', merchantTier: (mall as { merchantTier: unknown }).merchantTier });
    const ended = await operator({ action: 'endProgram', sellerId, program: 'styled', on: '2026-07-03', by: 'ops-li' });
    expect(ended).toMatchObject({ ok: false, field: 'program' });
  });
});
