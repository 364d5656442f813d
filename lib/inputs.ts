import { z } from 'zod';

/** Identifiers are opaque data of this shape (SPEC §3.1); `constructor` is an id like any other. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const idSchema = (field: string) =>
  z
    .string()
    .max(64, { error: (issue) => `${field} is ${String(issue.input).length} characters long; an identifier has at most 64`, abort: true })
    .regex(ID_PATTERN, `${field} must match ^[A-Za-z0-9_-]{1,64}$`);
const sellerIdSchema = idSchema('sellerId');
const date = z.iso.date();
const programSchema = z.object({ since: date, until: date.nullable().optional() }).refine((p) => p.until == null || p.since <= p.until, {
  message: 'since must not be after until',
});

/** Size limits of free text in inputs and operator requests (docs/inputs.md): no item nears DynamoDB's 400 KB. */
const TEXT_LIMITS = { name: 200, who: 128, note: 1000, reason: 1000 } as const;
/** How many sellers or categories one operator re-run may name. */
const LIST_LIMITS = { sellers: 1000, categories: 500 } as const;
const text = (limit: number) => z.string().max(limit, `must be at most ${limit} characters`);

const CATEGORY_FLAGS = ['electrical', 'batteries', 'textiles', 'furniture', 'childrens'] as const;

/** A second-level category and its first-level parent (SPEC §3.1). */
const categorySchema = z.object({
  categoryId: idSchema('categoryId'),
  parentId: idSchema('parentId'),
  name: text(TEXT_LIMITS.name),
  flags: z.array(z.enum(CATEGORY_FLAGS)).optional(),
});

/** A seller profile with its programs (SPEC §3.2). */
const sellerProfileSchema = z.object({
  sellerId: sellerIdSchema,
  categoryId: idSchema('categoryId'),
  storeType: z.enum(['official', 'brand', 'franchise']),
  openedOn: date,
  mall: programSchema.nullable().optional(),
  jbp: programSchema.nullable().optional(),
  styled: programSchema.nullable().optional(),
});

/** A Good Seller approval already made, as exported (SPEC §7.3); its order and bounds are checked by the input boundary. */
const grantInputSchema = z.object({
  sellerId: sellerIdSchema,
  appliedOn: date,
  approvedOn: date,
  approvedBy: text(TEXT_LIMITS.who).min(1),
  note: text(TEXT_LIMITS.note).nullable().optional(),
  revokedOn: date.nullable().optional(),
  revokedBy: text(TEXT_LIMITS.who).nullable().optional(),
});

const market = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code (two capital letters)');

/** A seller's active listings of one category in one market, as of a date (SPEC §7.5). */
const exposureSchema = z.object({
  sellerId: sellerIdSchema,
  categoryId: idSchema('categoryId'),
  market,
  activeListings: z.number().int().min(0),
  asOf: date,
});

/** A compliance registration (SPEC §7.5): valid from `validFrom`, until `validUntil` when given. */
const registrationSchema = z
  .object({
    sellerId: sellerIdSchema,
    scheme: z.enum(['epr', 'cpc']),
    market,
    scope: idSchema('scope'),
    registrationId: z.string().min(1).max(TEXT_LIMITS.who, `must be at most ${TEXT_LIMITS.who} characters`),
    validFrom: date,
    validUntil: date.nullable().optional(),
  })
  .refine((r) => r.validUntil == null || r.validFrom <= r.validUntil, { path: ['validUntil'], message: 'must not be before validFrom' });

type Exposure = z.infer<typeof exposureSchema>;
type Registration = z.infer<typeof registrationSchema>;
type Category = z.infer<typeof categorySchema>;
type SellerProfile = z.infer<typeof sellerProfileSchema>;
type GrantInput = z.infer<typeof grantInputSchema>;
type Program = 'mall' | 'jbp' | 'styled';
const PROGRAMS = ['mall', 'jbp', 'styled'] as const satisfies readonly Program[];

/** Every problem of a failed parse, as `field: message`. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ');
}

export {
  CATEGORY_FLAGS,
  ID_PATTERN,
  LIST_LIMITS,
  PROGRAMS,
  TEXT_LIMITS,
  categorySchema,
  describeIssues,
  exposureSchema,
  grantInputSchema,
  registrationSchema,
  idSchema,
  sellerIdSchema,
  sellerProfileSchema,
};
export type { Category, Exposure, GrantInput, Program, Registration, SellerProfile };
