import { z } from 'zod';
import { ScenarioSchema } from './schema';

/**
 * The JSON Schema of a scenario file, generated from the zod schema (zod 4's toJSONSchema,
 * input side so defaulted fields are optional as in a file). resources/schema/
 * scenario.schema.json is this value, pretty-printed; a test keeps the two equal.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: 'https://dslab.invalid/schema/scenario.schema.json',
    title: 'DSLab scenario (schemaVersion 1)',
  };
}

/** The committed file's exact text: two-space JSON plus a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
