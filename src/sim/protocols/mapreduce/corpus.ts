/**
 * The built-in corpus MapReduce jobs run on: twelve short documents of our own text (written
 * for DSLab, free to reuse), about 3 KB in all. Each document is a few lines; a line is a
 * record for the grep and sort jobs. The paper's inputs are files in GFS split into 16-64 MB
 * pieces (§3.1); here an input split is a run of whole documents (mapreduce.ts, `splitOf`).
 */

/** A document: its name (what the inverted index points to) and its lines. */
export interface Doc {
  /** Document name, such as 'harbour'. */
  name: string;
  /** Its lines of text. */
  lines: readonly string[];
}

export const CORPUS: readonly Doc[] = [
  {
    name: 'harbour',
    lines: [
      'The harbour wakes before the town does.',
      'Boats knock against the wall and the gulls argue over the nets.',
      'A clerk counts the crates as they come off the ship, one by one.',
    ],
  },
  {
    name: 'clerks',
    lines: [
      'One clerk cannot count every crate in the harbour before noon.',
      'So the harbour master hires twelve clerks and gives each a row of crates.',
      'Each clerk writes a tally on a slip of paper and hands the slip back.',
    ],
  },
  {
    name: 'master',
    lines: [
      'The master keeps a ledger of every row: waiting, being counted, or done.',
      'When a row is done the master writes down which clerk holds its slips.',
      'The master never counts a crate himself.',
    ],
  },
  {
    name: 'tallies',
    lines: [
      'Later the tallies must be added up by kind: fish, salt, rope and wine.',
      'A second group of clerks each takes one kind and walks from desk to desk,',
      'collecting every slip about that kind, and adds the numbers on them.',
    ],
  },
  {
    name: 'storm',
    lines: [
      'A storm comes in from the sea and a clerk goes home with his slips.',
      'The master sees that the clerk no longer answers when called.',
      'His rows were done, but the slips went home with him, so the rows are counted again.',
    ],
  },
  {
    name: 'slow',
    lines: [
      'One clerk is slow; his pencil breaks and his row is long.',
      'Near the end of the day everyone waits for him alone.',
      'The master asks an idle clerk to count the same row, and takes whichever tally comes first.',
    ],
  },
  {
    name: 'ledger',
    lines: [
      'The ledger says which rows are waiting and which are done.',
      'A row counted twice is written in the ledger once.',
      'The final totals go into the harbour book, one page for each group of kinds.',
    ],
  },
  {
    name: 'book',
    lines: [
      'A page of the harbour book is written in pencil first and inked when it is whole.',
      'If two clerks ink the same page, the book shows the numbers twice and the counts are wrong.',
      'So a page is inked once, by whoever finishes first.',
    ],
  },
  {
    name: 'sea',
    lines: [
      'The sea does not care about the ledger.',
      'Ships come in with salt and go out with wine, and the rope wears thin on every deck.',
      'The gulls count nothing and eat the fish the clerks forget.',
    ],
  },
  {
    name: 'desk',
    lines: [
      'A clerk who reads his row at his own desk saves a walk across the yard.',
      'The master likes to give each clerk a row that is already near him.',
      'A walk across the yard in the rain takes longer than the counting.',
    ],
  },
  {
    name: 'night',
    lines: [
      'At night the harbour is quiet and the ledger is closed.',
      'The totals are checked against a count made the slow way, by one patient clerk.',
      'If the two disagree, someone lost a slip or inked a page twice.',
    ],
  },
  {
    name: 'morning',
    lines: [
      'In the morning new ships arrive and the master opens a fresh ledger.',
      'The rows are cut, the clerks are called, and the counting starts again.',
      'Nobody remembers the storm except the clerk who went home.',
    ],
  },
];
