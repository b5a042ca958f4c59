/**
 * Errors of the JSON API as `application/problem+json` (RFC 9457): a title that says what went
 * wrong, the status, and a detail that says what to do. One shape for every error of the API,
 * described once in the OpenAPI document.
 */
import { z } from 'zod';

export const ProblemSchema = z
  .object({
    type: z.string().describe('about:blank, or a URI naming the kind of problem'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().describe('the path of the request'),
    errors: z.array(z.object({ location: z.string(), message: z.string() })).optional().describe('each invalid part of the request'),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof ProblemSchema>;

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    /** Each part of the request at fault, where there are several to list. */
    readonly errors?: { location: string; message: string }[],
  ) {
    super(title);
    this.name = 'ApiProblem';
  }
}

/** The error responses every route may give, for its schema. */
export const problemResponses = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  429: ProblemSchema,
  503: ProblemSchema,
};
