/**
 * Parsed YAML before a schema has checked it: the checkers walk it to name the thing a problem is
 * about ("question `tier`", "code `authority`") even where the schema rejected it.
 */
import type { Path } from './yaml-source.ts';

export type Raw = Record<string, unknown>;

export const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at `path`, or undefined where the data has nothing there. */
export function valueAt(data: unknown, path: Path): unknown {
  let node = data;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (node instanceof Map) node = node.get(String(segment));
    else if (isRecord(node)) node = node[String(segment)];
    else return undefined;
  }
  return node;
}
