/** Interns strings to small integers, so trace columns hold numbers instead of strings. */
export class Interner {
  private readonly ids = new Map<string, number>();
  /** The strings, by id. */
  readonly strings: string[] = [];

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

  /** The string with id `i` (or '' for -1). */
  get(i: number): string {
    return i < 0 ? '' : (this.strings[i] ?? '');
  }
}
