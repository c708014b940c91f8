import { murmur3 } from '../../hashing';
import { CORPUS, type Doc } from '../mapreduce/corpus';
import { byKey, directOutput, type Pair, pairBytes, words } from '../mapreduce/jobs';

/**
 * The one workload the three engines run (issue 19): word count over MapReduce's built-in
 * corpus, and an iterative job, a few rounds of PageRank on a small web of pages. Everything
 * here is a pure function; `expectedOutput` computes each job's answer directly, on one
 * machine, for the checkers to compare the engines' output with.
 *
 * PageRank as in Zaharia et al., "Resilient Distributed Datasets", NSDI 2012, §3.2.2: each
 * page u sends rank(u)/|links(u)| to each page it links to; a page's new rank is
 * a/N + (1 − a)·Σ contributions, with a = 0.15. Ranks are kept in millionths, as integers,
 * and contributions are rounded down, so that the sum does not depend on the order in which
 * the engines add the contributions up (floating-point sums would), and the direct
 * computation gives exactly the same numbers.
 */

export { byKey, CORPUS, type Doc, type Pair, pairBytes, words };

/** The jobs. */
export const DATAFLOW_JOBS = ['word-count', 'pagerank'] as const;
/** A job. */
export type DataflowJob = (typeof DATAFLOW_JOBS)[number];

/** A rank of 1 in millionths. */
export const RANK_ONE = 1_000_000;

/** The partition of a key among `n` (hash partitioning, the default of Hadoop and Spark). */
export function partitionOfKey(key: string, n: number): number {
  return murmur3(key) % n;
}

// ---------------------------------------------------------------------------------------------
// Word count

/** The documents of input split p of P: a contiguous run of whole documents (as MapReduce). */
export function corpusSplit(p: number, P: number, corpus: readonly Doc[] = CORPUS): Doc[] {
  const d = corpus.length;
  return corpus.slice(Math.floor((p * d) / P), Math.floor(((p + 1) * d) / P));
}

/** The text of a split, one record per line, as the file holds it. */
export function splitRecords(docs: readonly Doc[]): Pair[] {
  return docs.flatMap((doc) => doc.lines.map((line, i): Pair => [`${doc.name}:${i + 1}`, line]));
}

/** map: each word of each line → (word, 1), cut into `buckets` by the word's hash. */
export function wordCountMap(lines: readonly Pair[], buckets: number): Pair[][] {
  const out: Pair[][] = Array.from({ length: buckets }, () => []);
  for (const [, line] of lines) for (const w of words(line)) out[partitionOfKey(w, buckets)]!.push([w, '1']);
  return out;
}

/** reduce: the sum of each word's ones, by word. */
export function wordCountReduce(inputs: readonly (readonly Pair[])[]): Pair[] {
  const counts = new Map<string, number>();
  for (const part of inputs) for (const [w, n] of part) counts.set(w, (counts.get(w) ?? 0) + Number(n));
  return [...counts].map(([w, n]): Pair => [w, String(n)]).sort(byKey);
}

// ---------------------------------------------------------------------------------------------
// PageRank

/** The pages of the small web: 60 pages, p01 to p60. */
export const PAGES: readonly string[] = Array.from(
  { length: 60 },
  (_, k) => `p${String(k + 1).padStart(2, '0')}`,
);

/**
 * The links of each page: one to the next page (so every page has an out-link and the web is
 * one cycle) and one to three more chosen by hash: a fixed, uneven web, so ranks differ.
 */
export function linksOf(page: string): string[] {
  const k = PAGES.indexOf(page);
  const out = new Set<string>([PAGES[(k + 1) % PAGES.length]!]);
  const extra = 1 + (murmur3(`${page}/n`) % 3);
  for (let j = 0; j < extra; j++) {
    const t = PAGES[murmur3(`${page}/${j}`) % 8]!; // links pile up on the first eight pages
    if (t !== page) out.add(t);
  }
  return [...out].sort();
}

/** The graph file's split p of P: the pages of partition p with their links, as (page, "a,b,c"). */
export function graphSplit(p: number, P: number): Pair[] {
  return PAGES.filter((u) => partitionOfKey(u, P) === p).map((u): Pair => [u, linksOf(u).join(',')]);
}

/** The first ranks: 1/N each. */
export function initialRanks(links: readonly Pair[]): Pair[] {
  return links.map(([u]): Pair => [u, String(Math.floor(RANK_ONE / PAGES.length))]);
}

/**
 * links.join(ranks).flatMap(...) (§3.2.2): each page sends rank/|links| to each page it links
 * to. Each page also sends itself an empty contribution, so that the next step knows every
 * page of its partition, including one no page links to. Cut into `buckets` by target page.
 */
export function contributions(links: readonly Pair[], ranks: readonly Pair[], buckets: number): Pair[][] {
  const rank = new Map(ranks);
  const out: Pair[][] = Array.from({ length: buckets }, () => []);
  for (const [u, list] of links) {
    out[partitionOfKey(u, buckets)]!.push([u, '']);
    const r = Number(rank.get(u) ?? 0);
    const targets = list === '' ? [] : list.split(',');
    for (const t of targets)
      out[partitionOfKey(t, buckets)]!.push([t, String(Math.floor(r / targets.length))]);
  }
  return out;
}

/** contribs.reduceByKey(_ + _).mapValues(a/N + (1 − a)·sum) (§3.2.2), a = 0.15, in millionths. */
export function newRanks(inputs: readonly (readonly Pair[])[]): Pair[] {
  const sums = new Map<string, number>();
  for (const part of inputs)
    for (const [u, c] of part) sums.set(u, (sums.get(u) ?? 0) + (c === '' ? 0 : Number(c)));
  const base = Math.floor((15 * RANK_ONE) / 100 / PAGES.length);
  return [...sums].map(([u, s]): Pair => [u, String(base + Math.floor((85 * s) / 100))]).sort(byKey);
}

/** PageRank computed directly, on one machine: `rounds` rounds from 1/N each. */
export function directPageRank(rounds: number): Pair[] {
  const links: Pair[] = PAGES.map((u): Pair => [u, linksOf(u).join(',')]);
  let ranks = initialRanks(links);
  for (let i = 0; i < rounds; i++) ranks = newRanks(contributions(links, ranks, 1));
  return ranks;
}

// ---------------------------------------------------------------------------------------------
// The answer

/** The job's whole answer computed directly, sorted by key. */
export function expectedOutput(job: DataflowJob, rounds: number): Pair[] {
  return job === 'word-count' ? directOutput('word-count', '') : directPageRank(rounds);
}

/** Word count computed directly, as a map from word to count. */
export function directWordCounts(): Map<string, number> {
  return new Map(directOutput('word-count', '').map(([w, n]): [string, number] => [w, Number(n)]));
}

/** What output partition p of n must hold: the direct answer's pairs whose key falls in p. */
export function expectedPart(job: DataflowJob, rounds: number, p: number, n: number): Pair[] {
  return expectedOutput(job, rounds).filter(([k]) => partitionOfKey(k, n) === p);
}

/** Whether two outputs hold the same pairs in the same order; else the first difference. */
export function outputDiff(got: readonly Pair[], want: readonly Pair[]): string | null {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const g = got[i];
    const w = want[i];
    if (g === undefined) return `${want.length - got.length} pair(s) missing, the first ${w![0]} → ${w![1]}`;
    if (w === undefined) return `${got.length - want.length} pair(s) too many, the first ${g[0]} → ${g[1]}`;
    if (g[0] !== w[0] || g[1] !== w[1])
      return `${g[0]} → ${g[1]}, the direct computation has ${w[0]} → ${w[1]}`;
  }
  return null;
}
