import type { z } from 'zod';

/**
 * Declaration of a {@link Topic}: its name, version, zod schema and (optionally) the key that
 * orders its events.
 *
 * @example
 * ```ts
 * import type { TopicDefinition } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const OrderPlaced = z.object({ orderId: z.string(), totalCents: z.number().int() });
 * const definition: TopicDefinition<typeof OrderPlaced> = {
 *   name: 'order.placed',
 *   version: 1,
 *   schema: OrderPlaced,
 *   key: (order) => order.orderId,
 * };
 * ```
 */
export interface TopicDefinition<S extends z.ZodType> {
  /** Dot-separated lower-case name, e.g. `order.placed` (letters, digits, `-`, `_`, `.`). */
  name: string;
  /** Positive integer; a breaking change of the schema is a new version (a new topic). */
  version: number;
  /** The payload schema: publish validates against it, consume parses with it. */
  schema: S;
  /**
   * The ordering key of a payload (e.g. the aggregate id). Events with the same key are handled
   * one at a time in delivery order by a consumer; it travels as the CloudEvents
   * `partitionkey` attribute.
   */
  key?: (payload: z.output<S>) => string;
  /** One sentence for the AsyncAPI document. */
  description?: string;
  /**
   * Where the events travel (a NATS subject, the HTTP-push route name, ...). Defaults to the
   * CloudEvents `type`, `<name>.v<version>`, so two versions of a topic never share a
   * destination.
   */
  destination?: string;
}

/**
 * Result of {@link Topic.parse}: the typed payload, or the schema's issues.
 *
 * @example
 * ```ts
 * import { defineTopic, type TopicParseResult } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const topic = defineTopic({ name: 'user.renamed', version: 1, schema: z.object({ name: z.string() }) });
 * const result: TopicParseResult<{ name: string }> = topic.parse({ name: 42 });
 * if (!result.ok) console.warn(result.message);
 * ```
 */
export type TopicParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string; readonly issues: readonly z.core.$ZodIssue[] };

/**
 * A typed topic: publishing and handling are typed from its schema. Create one with
 * {@link defineTopic}.
 *
 * @example
 * ```ts
 * import { defineTopic, type Topic } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const Schema = z.object({ sku: z.string(), quantity: z.number().int().positive() });
 * const stockReserved: Topic<typeof Schema> = defineTopic({ name: 'stock.reserved', version: 1, schema: Schema });
 * stockReserved.type; // 'stock.reserved.v1'
 * ```
 */
export interface Topic<S extends z.ZodType = z.ZodType, Type extends string = string> {
  /** The topic's name, e.g. `order.placed`. */
  readonly name: string;
  /** The topic's version. */
  readonly version: number;
  /** The CloudEvents `type` of its events: `<name>.v<version>`, e.g. `order.placed.v1` (a literal type). */
  readonly type: Type;
  /** Where its events travel (defaults to {@link Topic.type}). */
  readonly destination: string;
  /** The payload schema. */
  readonly schema: S;
  /** The ordering key function, when the topic is ordered. */
  readonly key: ((payload: z.output<S>) => string) | undefined;
  /** One sentence for the AsyncAPI document. */
  readonly description: string | undefined;
  /** Validates a payload (already JSON-decoded) against the schema; never throws. */
  parse(data: unknown): TopicParseResult<z.output<S>>;
}

/** The payload a publisher passes for a topic (the schema's input type). */
export type TopicInput<T extends Topic> = z.input<T['schema']>;
/** The payload a handler receives for a topic (the schema's output type). */
export type TopicPayload<T extends Topic> = z.output<T['schema']>;

const NAME = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;

/**
 * Declares a typed topic. The CloudEvents `type` is `<name>.v<version>` (e.g.
 * `order.placed.v1`); a consumer of one topic treats any other `type` on its destination as a
 * poison message.
 *
 * @example
 * ```ts
 * import { defineTopic } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * export const orderPlaced = defineTopic({
 *   name: 'order.placed',
 *   version: 1,
 *   description: 'An order was accepted and its stock must be reserved.',
 *   schema: z.object({ orderId: z.string(), sku: z.string(), quantity: z.number().int().positive() }),
 *   key: (order) => order.orderId,
 * });
 *
 * const parsed = orderPlaced.parse({ orderId: 'o-1', sku: 'tea', quantity: 2 });
 * if (parsed.ok) console.info(parsed.value.quantity);
 * ```
 */
export function defineTopic<
  S extends z.ZodType,
  const Name extends string,
  const Version extends number,
>(
  definition: TopicDefinition<S> & { name: Name; version: Version },
): Topic<S, `${Name}.v${Version}`> {
  const { name, version, schema } = definition;
  if (!NAME.test(name)) {
    throw new TypeError(
      `topic name ${JSON.stringify(name)} must be dot-separated lower-case words (a-z, 0-9, '-', '_')`,
    );
  }
  if (!Number.isInteger(version) || version < 1) {
    throw new TypeError(`topic ${name}: version must be a positive integer, got ${version}`);
  }
  const type = `${name}.v${version}` as `${Name}.v${Version}`;
  return Object.freeze({
    name,
    version,
    type,
    destination: definition.destination ?? type,
    schema,
    key: definition.key,
    description: definition.description,
    parse(data: unknown): TopicParseResult<z.output<S>> {
      const result = schema.safeParse(data);
      if (result.success) return { ok: true, value: result.data };
      return {
        ok: false,
        issues: result.error.issues,
        message: result.error.issues
          .map(
            (issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`,
          )
          .join('; '),
      };
    },
  });
}
