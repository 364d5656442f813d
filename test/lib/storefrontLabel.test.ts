import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../lib/policy';
import { programActiveOn, storefrontLabel } from '../../lib/storefrontLabel';

const priority = DEFAULT_POLICY.frontBadgePriority;
const none = { jbp: false, styled: false, mall: false, effectiveTier: 'ordinary' } as const;

describe('storefrontLabel', () => {
  it('follows the default priority jbp, styled, plus, gold, silver', () => {
    expect(priority).toEqual(['jbp', 'styled', 'plus', 'gold', 'silver']);
    expect(storefrontLabel({ jbp: true, styled: true, mall: true, effectiveTier: 'gold' }, priority)).toBe('jbp');
    expect(storefrontLabel({ jbp: false, styled: true, mall: true, effectiveTier: 'gold' }, priority)).toBe('styled');
    expect(storefrontLabel({ jbp: false, styled: false, mall: true, effectiveTier: 'gold' }, priority)).toBe('plus');
    expect(storefrontLabel({ ...none, effectiveTier: 'gold' }, priority)).toBe('gold');
    expect(storefrontLabel({ ...none, effectiveTier: 'silver' }, priority)).toBe('silver');
  });

  it('shows no label for an ordinary store without programs', () => {
    expect(storefrontLabel(none, priority)).toBeNull();
  });

  it('shows plus for a MALL store without raising its merchant tier', () => {
    // MALL gives the label only: an ordinary MALL store is plus, and without MALL nothing.
    expect(storefrontLabel({ ...none, mall: true }, priority)).toBe('plus');
    expect(storefrontLabel({ ...none, mall: true }, ['gold', 'silver'])).toBeNull();
  });

  it('follows a custom priority that puts tiers first', () => {
    expect(storefrontLabel({ jbp: true, styled: false, mall: true, effectiveTier: 'silver' }, ['silver', 'gold', 'jbp', 'plus'])).toBe('silver');
  });

  it('shows only badges the priority lists', () => {
    expect(storefrontLabel({ ...none, jbp: true }, ['plus', 'gold'])).toBeNull();
  });
});

describe('programActiveOn', () => {
  const program = { since: '2026-03-01', until: '2026-06-30' };

  it('is active from since to until, both inclusive', () => {
    expect(programActiveOn(program, '2026-02-28')).toBe(false);
    expect(programActiveOn(program, '2026-03-01')).toBe(true);
    expect(programActiveOn(program, '2026-06-30')).toBe(true);
    expect(programActiveOn(program, '2026-07-01')).toBe(false);
  });

  it('has no end when until is absent or null', () => {
    expect(programActiveOn({ since: '2026-03-01' }, '2099-12-31')).toBe(true);
    expect(programActiveOn({ since: '2026-03-01', until: null }, '2099-12-31')).toBe(true);
  });

  it('is never active when there is no program', () => {
    expect(programActiveOn(undefined, '2026-03-01')).toBe(false);
    expect(programActiveOn(null, '2026-03-01')).toBe(false);
  });
});
