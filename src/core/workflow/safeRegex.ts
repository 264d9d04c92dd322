import { RE2JS } from "re2js";

/**
 * Patterns come from workflow authors and text from any WhatsApp sender or run data, so matching must take time
 * linear in the text whatever the pattern: JavaScript's backtracking RegExp takes exponential time on `(a+)+$`.
 * RE2JS (a pure-JavaScript port of RE2) guarantees linear time and has no backreferences or lookaround.
 * re2-wasm was tried first: its WebAssembly heap is a fixed 16 MiB that never grows, freed only by an explicit
 * delete, and half a dozen cached patterns with grown DFA caches exhausted it, after which every pattern in the
 * process failed for good.
 */

/** Characters of a text a pattern looks at: WhatsApp's own limit for a text message, so inbound texts are whole. */
const TEXT_CHARS = 4096;
/** Longest pattern: a keyword allows 200; a branch condition a little more, and no unbounded program. */
const PATTERN_CHARS = 1000;
/** Compiled patterns kept; keywords run on every inbound message, so recompiling each time would be wasted. */
const CACHE_SIZE = 256;

type Compiled = { re: RE2JS; error?: undefined } | { re?: undefined; error: string };
const cache = new Map<string, Compiled>();

function compile(pattern: string): Compiled {
  const hit = cache.get(pattern);
  if (hit) {
    // Least recently used goes first: a Map iterates in insertion order.
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  let entry: Compiled;
  if (pattern.length > PATTERN_CHARS) entry = { error: `longer than ${PATTERN_CHARS} characters` };
  else {
    try {
      entry = { re: RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE) };
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err))
        .replace(/^error parsing regexp: /, "")
        // RE2JS adds the case-insensitive flag as a prefix: quote the pattern as it was written.
        .replace(`\`(?i)${pattern}\``, `\`${pattern}\``);
      entry = { error: message + hint(pattern) };
    }
  }
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) {
      cache.get(oldest)?.re?.reset();
      cache.delete(oldest);
    }
  }
  cache.set(pattern, entry);
  return entry;
}

/** RE2's own messages don't say why a pattern that works in JavaScript fails here. */
function hint(pattern: string): string {
  if (/\(\?<?[=!]/.test(pattern)) return " (RE2 has no lookahead or lookbehind)";
  if (/\\([1-9]|k<)/.test(pattern)) return " (RE2 has no backreferences)";
  return "";
}

/** Case-insensitive regular expressions in RE2 syntax, matched in linear time on a bounded text. */
export const safeRegex = {
  TEXT_CHARS,
  PATTERN_CHARS,

  /** Why the pattern can't be used (syntax, backreference, lookaround, length), or null when it can. */
  check(pattern: string): string | null {
    return compile(pattern).error ?? null;
  },

  /**
   * Whether the pattern matches anywhere in the text's first TEXT_CHARS characters. A pattern that doesn't
   * compile (saved before it was checked) matches nothing, and `onInvalid` hears why.
   */
  test(pattern: string, text: string, onInvalid?: (error: string) => void): boolean {
    const c = compile(pattern);
    if (!c.re) {
      onInvalid?.(c.error);
      return false;
    }
    if (text.length <= TEXT_CHARS) return c.re.test(text);
    // Not between the halves of a surrogate pair.
    const end = /[\uD800-\uDBFF]/.test(text[TEXT_CHARS - 1] ?? "") ? TEXT_CHARS - 1 : TEXT_CHARS;
    return c.re.test(text.slice(0, end));
  },
};
