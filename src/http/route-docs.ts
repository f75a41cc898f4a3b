import { z } from "zod";

/*
 * Pieces the route files' OpenAPI schemas share. They document; the handlers validate with zod.
 */

/** A zod query's JSON Schema (what a client sends) for the OpenAPI document. */
export function querySchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
}

/** The routes' security requirement: the bearer token, when `spec.api.token` is set. */
export const SECURED = [{ bearerAuth: [] }];

/** A JSON response: its description and the schema of its body (any object by default). */
export const jsonResponse = (description: string, schema: object = { type: "object" }) => ({
  description,
  content: { "application/json": { schema } },
});

/** The body of every 4xx/5xx answer. */
export const ERROR_BODY = { $ref: "#/components/schemas/Error" };

export const UNAUTHORIZED = jsonResponse(
  "Missing or wrong bearer token (when `spec.api.token` is set).",
  ERROR_BODY,
);

/** A trace or incident id: 32 lowercase hex characters. */
export const HEX_ID = /^[0-9a-f]{32}$/;

/** Path parameters of a route whose one parameter, `name`, is a 32-hex id. */
export function hexIdParams(name: string): object {
  return {
    type: "object",
    properties: { [name]: { type: "string", pattern: HEX_ID.source } },
    required: [name],
  };
}
