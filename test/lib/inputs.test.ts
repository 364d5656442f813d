import { describe, expect, it } from 'vitest';
import { categorySchema, describeIssues, grantInputSchema, sellerProfileSchema } from '../../lib/inputs';

const seller = { sellerId: 's-042', categoryId: 'c-11', storeType: 'brand', openedOn: '2025-06-01' };

describe('sellerProfileSchema', () => {
  it('accepts a profile with an open-ended MALL program', () => {
    expect(sellerProfileSchema.safeParse({ ...seller, mall: { since: '2026-01-01' } }).success).toBe(true);
  });

  it('accepts a program that lasts one day and refuses one that ends before it starts', () => {
    expect(sellerProfileSchema.safeParse({ ...seller, jbp: { since: '2026-01-01', until: '2026-01-01' } }).success).toBe(true);
    const bad = sellerProfileSchema.safeParse({ ...seller, jbp: { since: '2026-01-02', until: '2026-01-01' } });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(describeIssues(bad.error)).toBe('jbp: since must not be after until');
  });

  it('refuses a store type outside official, brand and franchise, naming the field', () => {
    const r = sellerProfileSchema.safeParse({ ...seller, storeType: 'outlet' });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssues(r.error)).toMatch(/^storeType: /);
  });

  it('refuses an opening date that is not a calendar date', () => {
    expect(sellerProfileSchema.safeParse({ ...seller, openedOn: '2026-02-29' }).success).toBe(false);
  });

  it('refuses a sellerId of 65 characters and accepts one of 64', () => {
    expect(sellerProfileSchema.safeParse({ ...seller, sellerId: 'x'.repeat(65) }).success).toBe(false);
    expect(sellerProfileSchema.safeParse({ ...seller, sellerId: 'x'.repeat(64) }).success).toBe(true);
  });
});

describe('categorySchema and grantInputSchema', () => {
  it('requires a parent category', () => {
    expect(categorySchema.safeParse({ categoryId: 'c-11', parentId: '', name: 'Phones' }).success).toBe(false);
    expect(categorySchema.safeParse({ categoryId: 'c-11', parentId: 'p-1', name: 'Phones' }).success).toBe(true);
  });

  it('requires who approved a grant', () => {
    const grant = { sellerId: 's-042', appliedOn: '2026-02-20', approvedOn: '2026-03-01', approvedBy: 'ops-li' };
    expect(grantInputSchema.safeParse(grant).success).toBe(true);
    expect(grantInputSchema.safeParse({ ...grant, approvedBy: '' }).success).toBe(false);
  });
});
