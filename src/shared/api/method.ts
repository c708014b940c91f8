import type { z } from 'zod';

/** A method's request and response schemas. */
export interface MethodSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  /** Validates what the renderer sends. */
  request: Req;
  /** Describes what the handler answers (checked in tests, trusted at run time). */
  response: Res;
  /** One line for the docs and error messages. */
  doc: string;
}

/** Declares one API method. */
export function method<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  doc: string,
): MethodSpec<Req, Res> {
  return { request, response, doc };
}
