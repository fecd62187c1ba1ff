/**
 * The kit's rules for configuration from the environment, one owner for both processes and the
 * tools: one ConfigError, one "empty means unset" rule, and one reader of compose's
 * `${VAR:-default}` interpolation. Pure: no Node imports beyond types, so the compiled service
 * and inventory, the tests and Node's type stripping all load it.
 */

/** A bad setting: start-up stops with this message, which names the variable or key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Empty strings count as unset: compose's `${VAR:-}` and a `PORT=` line pass "" for "not set",
 * which must mean "the default", never "invalid" and never 0.
 */
export function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}

/** One `${NAME}`, `${NAME:-default}` or `${env:NAME:-default}` (the collector's form) in a text. */
export interface Interpolation {
  /** The text as written, e.g. `${PORT:-8080}`. */
  text: string;
  name: string;
  /** undefined when the text gives no `:-` or `-` default. */
  fallback: string | undefined;
  /** `:-` takes the default when the variable is unset or empty, `-` only when it is unset. */
  defaultWhenEmpty: boolean;
}

// NAME, then optionally an operator (`:-` / `-` default, `:?` / `?` error, `:+` / `+` alternative).
const INTERPOLATION = /\$\{(env:)?([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g;

/**
 * Every interpolation in `text`. `style` picks which spelling counts: compose's `${NAME}` or the
 * collector's `${env:NAME}` (the collector reads `${NAME}` as something else, compose never reads
 * `${env:…}`); 'any' takes both.
 */
export function interpolations(text: string, style: 'compose' | 'collector' | 'any' = 'any'): Interpolation[] {
  const found: Interpolation[] = [];
  for (const match of text.matchAll(INTERPOLATION)) {
    const isCollector = match[1] !== undefined;
    if (style === 'compose' && isCollector) continue;
    if (style === 'collector' && !isCollector) continue;
    const operator = match[3];
    found.push({
      text: match[0],
      name: match[2]!,
      fallback: operator?.endsWith('-') ? match[4] : undefined,
      defaultWhenEmpty: operator !== '-',
    });
  }
  return found;
}

/** The text with each interpolation replaced as compose (or the collector) would: the value, else the default. */
export function interpolate(
  text: string,
  env: Record<string, string | undefined>,
  style: 'compose' | 'collector' | 'any' = 'any',
): string {
  const byText = new Map(interpolations(text, style).map((found) => [found.text, found]));
  return text.replace(INTERPOLATION, (written) => {
    const found = byText.get(written);
    if (!found) return written;
    const value = env[found.name];
    const unset = value === undefined || (found.defaultWhenEmpty && value === '');
    return unset ? (found.fallback ?? '') : value;
  });
}
