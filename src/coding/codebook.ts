/**
 * The codebook (`pipelines/codebooks/*.yaml`): the codes a study applies to its qualitative data,
 * each with the definition and the inclusion and exclusion rules a coder follows, examples, and
 * keywords that automatic coding may use. Codes may have children; a child's id is unique across
 * the whole book so that coding files can name codes without their parents.
 */
import { z } from 'zod';

const codeId = z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'must start with a lower-case letter and use only a-z, 0-9 and -' });

export interface CodeInput {
  id: string;
  label: string;
  definition?: string;
  include?: string[];
  exclude?: string[];
  examples?: string[];
  keywords?: string[];
  children?: CodeInput[];
}

export const Code: z.ZodType<Code, CodeInput> = z.lazy(() =>
  z.strictObject({
    id: codeId,
    label: z.string().min(1),
    definition: z.string().default(''),
    include: z.array(z.string().min(1)).default([]),
    exclude: z.array(z.string().min(1)).default([]),
    examples: z.array(z.string().min(1)).default([]),
    keywords: z.array(z.string().min(1)).default([]),
    children: z.array(Code).default([]),
  }),
);
export interface Code {
  id: string;
  label: string;
  definition: string;
  include: string[];
  exclude: string[];
  examples: string[];
  keywords: string[];
  children: Code[];
}

export const Codebook = z.strictObject({
  id: codeId,
  title: z.string().min(1),
  codes: z.array(Code).min(1, { message: 'a codebook needs at least one code' }),
});
export type Codebook = z.infer<typeof Codebook>;

/** Every code in the book, parents before their children, in the file's order. */
export function allCodes(book: Codebook): Code[] {
  const out: Code[] = [];
  const walk = (codes: Code[]) => {
    for (const code of codes) {
      out.push(code);
      walk(code.children);
    }
  };
  walk(book.codes);
  return out;
}

/** The id of each code's parent, for codes that have one. */
export function parentOf(book: Codebook): Map<string, string> {
  const parents = new Map<string, string>();
  for (const code of allCodes(book)) for (const child of code.children) parents.set(child.id, code.id);
  return parents;
}
