/**
 * A text made when it is read: an object the caller keeps anyway (a client history record)
 * that can say what its trace note says. Saves building and keeping one string per operation.
 */
export interface LazyText {
  /** The text (the same every time). */
  text(): string;
}

/** Interns strings to small integers, so trace columns hold numbers instead of strings. */
export class Interner {
  private readonly ids = new Map<string, number>();
  /** The strings (or texts made when read), by id. */
  private readonly strings: (string | LazyText)[] = [];

  /** The id of `s`, assigning the next one on first use. */
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, i);
    }
    return i;
  }

  /**
   * An id for `s`, a text that is new almost every time (one per client operation) and that the
   * caller keys by a small integer (the operation id) in `byKey`. A replay of the same key with
   * the same text gets the id it had; otherwise the text is appended without the string map, so
   * two ids may hold the same text. Trace ids are only ever read back as text (rows, exports,
   * the trace hash), so that changes nothing anyone sees; it saves hashing every such text and
   * growing the map by one entry per operation.
   */
  idByKey(byKey: number[], key: number, s: string | LazyText): number {
    const old = byKey[key];
    if (old !== undefined) {
      const was = this.strings[old]!;
      if (was === s || this.get(old) === (typeof s === 'string' ? s : s.text())) return old;
    }
    const i = this.strings.length;
    this.strings.push(s);
    byKey[key] = i;
    return i;
  }

  /**
   * Makes this interner hold exactly `other`'s ids (a fork: trace rows copied from `other` keep
   * their ids). Its own strings must be a prefix of `other`'s.
   */
  copyFrom(other: Interner): void {
    for (let i = this.strings.length; i < other.strings.length; i++) {
      const s = other.strings[i]!;
      this.strings.push(s);
      if (typeof s === 'string' && !this.ids.has(s)) this.ids.set(s, i);
    }
  }

  /** The string with id `i` (or '' for -1). */
  get(i: number): string {
    if (i < 0) return '';
    const s = this.strings[i];
    if (s === undefined) return '';
    return typeof s === 'string' ? s : s.text();
  }
}
