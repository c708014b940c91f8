import { murmur3 } from '../../hashing';
import { CORPUS, type Doc } from './corpus';

/**
 * The user's program (Dean & Ghemawat, OSDI 2004, §2): a map function from an input record to
 * intermediate key/value pairs, a reduce function from a key and all its values to output
 * pairs, and a partitioning function from an intermediate key to one of R reduce tasks (§4.1).
 * The four jobs are the paper's examples (§2.3): word count, inverted index, distributed grep
 * and sort. Everything here is a pure function of the corpus; `directOutput` computes each
 * job's answer the slow way, by one patient clerk, for the checkers to compare against.
 */

/** The jobs a run can do. */
export const JOBS = ['word-count', 'inverted-index', 'grep', 'sort'] as const;
/** A job. */
export type Job = (typeof JOBS)[number];

/** An intermediate or output key/value pair. */
export type Pair = [string, string];

/** The words of a line, lower case (a word is a run of letters). */
export function words(line: string): string[] {
  return line.toLowerCase().match(/[a-z]+/g) ?? [];
}

/** The documents of input split m of M: a contiguous run of whole documents. */
export function splitOf(m: number, M: number, corpus: readonly Doc[] = CORPUS): Doc[] {
  const d = corpus.length;
  return corpus.slice(Math.floor((m * d) / M), Math.floor(((m + 1) * d) / M));
}

/** Size of a split in bytes (its text, a newline after each line). */
export function splitBytes(docs: readonly Doc[]): number {
  let n = 0;
  for (const doc of docs) for (const line of doc.lines) n += line.length + 1;
  return n;
}

/** Size of pairs as a file would hold them: key, tab, value, newline. */
export function pairBytes(pairs: readonly Pair[]): number {
  let n = 0;
  for (const [k, v] of pairs) n += k.length + v.length + 2;
  return n;
}

/** The sort job's key of a line: the line itself, lower case (§5.3 sorts by a 10-byte key). */
const sortKey = (line: string): string => line.toLowerCase();

/** map(k1, v1) → list(k2, v2) (§2.1) over one document. */
export function mapDoc(job: Job, doc: Doc, pattern: string): Pair[] {
  const out: Pair[] = [];
  doc.lines.forEach((line, i) => {
    switch (job) {
      case 'word-count': // emit (w, "1") for each word w (§2.1's pseudo-code)
        for (const w of words(line)) out.push([w, '1']);
        return;
      case 'inverted-index': // emit (word, document ID) (§2.3)
        for (const w of words(line)) out.push([w, doc.name]);
        return;
      case 'grep': // emit a line if it matches the pattern (§2.3)
        if (line.toLowerCase().includes(pattern.toLowerCase())) out.push([`${doc.name}:${i + 1}`, line]);
        return;
      case 'sort': // emit (key, record) (§5.3)
        out.push([sortKey(line), line]);
        return;
    }
  });
  return out;
}

/**
 * The partitioning function (§4.1): hash(key) mod R by default; the sort job partitions by key
 * range instead (by the key's first letter, a–z in R equal slices), so that the R output files
 * concatenated are sorted (§4.2, §5.3: "the partitioning function has built-in knowledge of
 * the distribution of keys").
 */
export function partitionOf(job: Job, key: string, R: number): number {
  if (job === 'sort') {
    const c = key.charCodeAt(0) - 97;
    return c < 0 || c > 25 ? 0 : Math.min(R - 1, Math.floor((c * R) / 26));
  }
  return murmur3(key) % R;
}

/** A map task's whole work: map every document of its split, cut the output into R regions. */
export function runMap(job: Job, docs: readonly Doc[], R: number, pattern: string): Pair[][] {
  const regions: Pair[][] = Array.from({ length: R }, () => []);
  for (const doc of docs)
    for (const p of mapDoc(job, doc, pattern)) regions[partitionOf(job, p[0], R)]!.push(p);
  return regions;
}

/** reduce(k2, list(v2)) → list(v2) (§2.1), written out as pairs. */
export function reduceKey(job: Job, key: string, values: readonly string[]): Pair[] {
  switch (job) {
    case 'word-count': {
      let n = 0;
      for (const v of values) n += Number(v);
      return [[key, String(n)]];
    }
    case 'inverted-index': // sort the document IDs and emit (word, list(document ID))
      return [[key, [...new Set(values)].sort().join(',')]];
    case 'grep': // the identity function
    case 'sort':
      return [...values].sort().map((v): Pair => [key, v]);
  }
}

/** Pairs in the order of an output file: by key, then by value. */
export function byKey(a: Pair, b: Pair): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/**
 * A reduce task's whole work (§3.1 step 5): sort the intermediate pairs fetched from every map
 * task by key, group them, and reduce each key in order (§4.2: keys in increasing order).
 */
export function runReduce(job: Job, inputs: readonly (readonly Pair[])[]): Pair[] {
  const all = inputs.flat().sort(byKey);
  const out: Pair[] = [];
  for (let i = 0; i < all.length; ) {
    const key = all[i]![0];
    const values: string[] = [];
    while (i < all.length && all[i]![0] === key) values.push(all[i++]![1]);
    out.push(...reduceKey(job, key, values));
  }
  return out;
}

/** The job's answer computed directly on the whole corpus, without map or reduce: what the output must be. */
export function directOutput(job: Job, pattern: string, corpus: readonly Doc[] = CORPUS): Pair[] {
  const out: Pair[] = [];
  if (job === 'word-count') {
    const counts = new Map<string, number>();
    for (const d of corpus)
      for (const l of d.lines) for (const w of words(l)) counts.set(w, (counts.get(w) ?? 0) + 1);
    for (const [w, n] of counts) out.push([w, String(n)]);
  } else if (job === 'inverted-index') {
    const docs = new Map<string, Set<string>>();
    for (const d of corpus)
      for (const l of d.lines)
        for (const w of words(l)) {
          const s = docs.get(w) ?? new Set<string>();
          s.add(d.name);
          docs.set(w, s);
        }
    for (const [w, s] of docs) out.push([w, [...s].sort().join(',')]);
  } else {
    for (const d of corpus)
      d.lines.forEach((l, i) => {
        if (job === 'sort') out.push([sortKey(l), l]);
        else if (l.toLowerCase().includes(pattern.toLowerCase())) out.push([`${d.name}:${i + 1}`, l]);
      });
  }
  return out.sort(byKey);
}

/** What output file r must hold: the direct answer's pairs whose key falls in partition r. */
export function expectedFile(job: Job, pattern: string, R: number, r: number): Pair[] {
  return directOutput(job, pattern).filter((p) => partitionOf(job, p[0], R) === r);
}

/** Whether two output files hold the same pairs in the same order; else the first difference. */
export function fileDiff(got: readonly Pair[], want: readonly Pair[]): string | null {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const g = got[i];
    const w = want[i];
    if (g === undefined) return `${want.length - got.length} pair(s) missing, the first ${w![0]} → ${w![1]}`;
    if (w === undefined) return `${got.length - want.length} pair(s) too many, the first ${g[0]} → ${g[1]}`;
    if (g[0] !== w[0] || g[1] !== w[1])
      return `pair ${i + 1} is ${g[0]} → ${g[1]}, the direct computation has ${w[0]} → ${w[1]}`;
  }
  return null;
}
