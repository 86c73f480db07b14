// The catalogue writes' contract (SPEC section 11): the JSON bodies of POST /products,
// PUT /products/{id} and PUT /users/{name}/profile, the events they become on the stream, and their
// answers.
//
// A body is validated with the processor's own zod contract (domain/marketplace/events.ts
// MARKETPLACE_FIELDS): each body field *is* the schema of the event field it becomes, only under the
// API's camelCase name, so a body this route accepts is an event the processor applies (or a noop),
// never one it rejects; and a 400 names the body's field. The event carries the values as the caller
// wrote them (an amount given as "19.90" stays a string: the processor reads the same cents). It
// carries no created_at: the processor places it at its record's arrival time (SPEC 10).
//
//   body field      event field      rule
//   productId       product_id       a positive integer, or a string of 1–64 characters (optional in
//                                     POST: a random UUID when absent; in PUT, the path's id, and a
//                                     body productId must equal it)
//   name            name             1–128 characters
//   category        category         0–64 characters, or null / absent for none
//   cost            cost             an amount: a number or numeric string, at most 2 decimals, 0–1e12
//   description     description      0–2,000 characters
//   displayName     display_name     1–128 characters
//   email           email            a plausible address of at most 254 characters
//
// A profile body needs displayName or email (or both), as profileUpserted does.
import { z } from 'zod';
import { MARKETPLACE_FIELDS, ProductIdSchema, UserNameSchema } from '../domain/marketplace/events';
import type { CatalogueEntry, Profile } from '../domain/marketplace/fold';
import { centsToAmount } from '../domain/marketplace/money';
import { BadRequestError } from './errors';
import { ProfileEmailSchema } from './schemas';

const UPSERT = MARKETPLACE_FIELDS.productUpserted;
const PROFILE = MARKETPLACE_FIELDS.profileUpserted;

export const ProductBodySchema = z.strictObject({
  productId: UPSERT.product_id
    .optional()
    .describe(
      'a positive integer or a string of 1–64 characters, answered as a string; POST: a random UUID when absent; PUT: must equal the path id when given',
    ),
  name: UPSERT.name.describe('the product name, 1–128 characters'),
  category: UPSERT.category.describe('0–64 characters; null or absent: none'),
  cost: UPSERT.cost.describe(
    'a number or a numeric string with at most 2 decimals, 0 to 1e12 (kept exactly, in cents); null or absent: none',
  ),
  description: UPSERT.description.describe('0–2,000 characters; null or absent: none'),
});
export type ProductBody = z.input<typeof ProductBodySchema>;

export const PROFILE_NEEDS_DISPLAY_NAME_OR_EMAIL = "give 'displayName' or 'email' (or both)";

export const ProfileBodySchema = z
  .strictObject({
    displayName: PROFILE.display_name.describe('1–128 characters; null or absent: none'),
    email: PROFILE.email.describe(
      'a plausible address (one @, a dotted domain, no spaces), at most 254 characters; null or absent: none',
    ),
  })
  .refine((b) => (b.displayName ?? null) !== null || (b.email ?? null) !== null, {
    message: PROFILE_NEEDS_DISPLAY_NAME_OR_EMAIL,
  });
export type ProfileBody = z.input<typeof ProfileBodySchema>;

/** Turns the first zod issue of a body into a message naming the field. */
export function describeBodyIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `'${k}'`).join(', ');
    return `unknown body field${issue.keys.length > 1 ? 's' : ''} ${keys}`;
  }
  const name = issue.path.length > 0 ? String(issue.path[0]) : '';
  return name ? `body field '${name}': ${issue.message}` : `body: ${issue.message}`;
}

/**
 * Parses and validates a JSON body: the raw object (what the event carries) and the validated one
 * (amounts in cents). A 400 naming the field otherwise.
 */
export function parseJsonBody<S extends z.ZodType>(
  schema: S,
  text: string,
): { raw: Record<string, unknown>; data: z.output<S> } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new BadRequestError('body: a JSON object is required');
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new BadRequestError('body: not valid JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BadRequestError('body: must be a JSON object');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new BadRequestError(describeBodyIssue(parsed.error));
  return { raw: raw as Record<string, unknown>, data: parsed.data };
}

/** A product id from the path, answered as a string: a 400 naming `id` when it is not one. */
export function productIdOfPath(id: string): string {
  const parsed = ProductIdSchema.safeParse(id);
  if (!parsed.success) throw new BadRequestError(`path parameter 'id': ${parsed.error.issues[0].message}`);
  return String(parsed.data);
}

/** A user name from the path, checked as the events check `user`. */
export function userOfPath(name: string): string {
  const parsed = UserNameSchema.safeParse(name);
  if (!parsed.success) throw new BadRequestError(`path parameter 'name': ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** An optional field: absent when the body leaves it out or gives null (SPEC 10). */
function put(out: Record<string, unknown>, key: string, v: unknown): void {
  if (v !== undefined && v !== null) out[key] = v;
}

/** The productUpserted event of a validated body (raw values, as the caller wrote them). */
export function productUpsertedEvent(
  productId: string,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const e: Record<string, unknown> = { type: 'productUpserted', product_id: productId, name: raw.name };
  put(e, 'category', raw.category);
  put(e, 'cost', raw.cost);
  put(e, 'description', raw.description);
  return e;
}

export function productDeletedEvent(productId: string): Record<string, unknown> {
  return { type: 'productDeleted', product_id: productId };
}

export function profileUpsertedEvent(user: string, raw: Record<string, unknown>): Record<string, unknown> {
  const e: Record<string, unknown> = { type: 'profileUpserted', user };
  put(e, 'display_name', raw.displayName);
  put(e, 'email', raw.email);
  return e;
}

export function profileDeletedEvent(user: string): Record<string, unknown> {
  return { type: 'profileDeleted', user };
}

/** The catalogue entry a validated product body makes (as the processor stores it). */
export function entryOfBody(data: z.output<typeof ProductBodySchema>): CatalogueEntry {
  return {
    name: data.name,
    category: data.category ?? null,
    costCents: data.cost ?? null,
    description: data.description ?? null,
  };
}

/** The profile a validated profile body makes (as the processor stores it). */
export function profileOfBody(data: z.output<typeof ProfileBodySchema>): Profile {
  return { displayName: data.displayName ?? null, email: data.email ?? null };
}

// ---- answers ---------------------------------------------------------------------------------------

export const ProductEntrySchema = z.strictObject({
  productId: z.string(),
  name: z.string(),
  category: z.string().nullable(),
  cost: z.number().nullable().describe('at most 2 decimals'),
  description: z.string().nullable(),
});
export type ProductEntryAnswer = z.output<typeof ProductEntrySchema>;

export function productEntryAnswer(productId: string, e: CatalogueEntry): ProductEntryAnswer {
  return {
    productId,
    name: e.name,
    category: e.category,
    cost: e.costCents === null ? null : centsToAmount(e.costCents),
    description: e.description,
  };
}

export const UserProfileEntrySchema = z.strictObject({
  name: z.string(),
  profile: z.strictObject({ displayName: z.string().nullable(), email: ProfileEmailSchema }).nullable(),
});
export type UserProfileEntryAnswer = z.output<typeof UserProfileEntrySchema>;

/** A profile as answered; without `email` for a caller who may not see it (SPEC 11, 13). */
export function profileAnswer(
  p: Profile | null,
  showEmail: boolean,
): { displayName: string | null; email?: string | null } | null {
  if (p === null) return null;
  return showEmail ? { displayName: p.displayName, email: p.email } : { displayName: p.displayName };
}

export function userProfileAnswer(name: string, p: Profile | null, showEmail = true): UserProfileEntryAnswer {
  return { name, profile: profileAnswer(p, showEmail) };
}

export const WriteAcceptedSchema = z.strictObject({
  sequenceNumber: z
    .string()
    .describe(
      "the Kinesis sequence number of the write's record; compare with /meta/pipeline lastSequenceNumber",
    ),
});
