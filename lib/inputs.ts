import { z } from 'zod';

const sellerIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'sellerId must match ^[A-Za-z0-9_-]{1,64}$');
const date = z.iso.date();
const programSchema = z.object({ since: date, until: date.nullable().optional() }).refine((p) => p.until == null || p.since <= p.until, {
  message: 'since must not be after until',
});

/** A second-level category and its first-level parent (SPEC §3.1). */
const categorySchema = z.object({ categoryId: z.string().min(1), parentId: z.string().min(1), name: z.string() });

/** A seller profile with its programs (SPEC §3.2). */
const sellerProfileSchema = z.object({
  sellerId: sellerIdSchema,
  categoryId: z.string().min(1),
  storeType: z.enum(['official', 'brand', 'franchise']),
  openedOn: date,
  mall: programSchema.nullable().optional(),
  jbp: programSchema.nullable().optional(),
  styled: programSchema.nullable().optional(),
});

/** A Good Seller approval already made, as exported (SPEC §7.3). */
const grantInputSchema = z.object({
  sellerId: sellerIdSchema,
  appliedOn: date,
  approvedOn: date,
  approvedBy: z.string().min(1),
  note: z.string().nullable().optional(),
  revokedOn: date.nullable().optional(),
  revokedBy: z.string().nullable().optional(),
});

type Category = z.infer<typeof categorySchema>;
type SellerProfile = z.infer<typeof sellerProfileSchema>;
type GrantInput = z.infer<typeof grantInputSchema>;
type Program = 'mall' | 'jbp' | 'styled';
const PROGRAMS = ['mall', 'jbp', 'styled'] as const satisfies readonly Program[];

/** The first problem of a failed parse, as `field: message`. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ');
}

export { PROGRAMS, categorySchema, describeIssues, grantInputSchema, sellerIdSchema, sellerProfileSchema };
export type { Category, GrantInput, Program, SellerProfile };
