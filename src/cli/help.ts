/** Usage texts: `dslab --help`, `dslab help <command>`, `dslab <command> --help`. */

/** The top-level usage. */
export const USAGE = `dslab: run DSLab scenarios headless

Usage: dslab <command> [options]

Commands:
  run <file>        run one seed and summarise it (--json: one JSON object)
  check <file>      run seeds; exit 1 at the first broken invariant
  sweep <file>      run a seed range; one NDJSON line per seed, in seed order
  trace <file>      print a run's trace events as NDJSON
  shiviz <file>     write a run's events with vector clocks as a ShiViz log
  bench             run the kernel benchmark
  library <cmd>     list, import, export, delete items of the DSLab library
  help [command]    this text, or one command's options

<file> is scenario JSON (docs/scenario-format.md) or a .dslab.json scenario or
exercise file. Exit codes: 0 ok, 1 a violation was found, 2 bad input.
From the project folder: npx dslab <command>, or npm run -s lab -- <command>;
npm link puts dslab on your PATH. docs/cli.md has the details.
`;

const SET = `  --set path=value    set a scenario field by dotted path before validation, e.g.
                      params.retryUs=0, topology.links.0.lossRate=0.1,
                      nemesis.enabled=true; the value is JSON if it parses, else a
                      string; repeatable`;
const UNTIL = `  --until-ms T        stop after the last event at or before T ms of virtual time
                      (default: run until the scenario's limits or no events left)`;

/** Help of each command. */
export const COMMAND_HELP: Record<string, string> = {
  run: `Usage: dslab run <file> [--seed N] [--until-ms T] [--set path=value ...] [--json]

Runs one seed and prints a summary: seed, events, virtual time, trace hash, messages,
invariants; on a violation, the invariant, message, event, time, node and the line
that reproduces it.

  --seed N            seed, 0..4294967295 (default: the scenario's seed)
${UNTIL}
${SET}
  --json              print one JSON object: seed, events, simulatedMs, stopReason,
                      traceHash, metrics, invariants, violation

Exit: 0 every invariant held, 1 one broke, 2 bad input.
`,
  check: `Usage: dslab check <file> [--seeds A..B] [--workers K] [--until-ms T] [--set path=value ...]

Runs every seed in A..B (inclusive) and stops at the first one that breaks an invariant,
printing the seed, invariant, event, time, message and the line that reproduces it.

  --seeds A..B        seed range, inclusive, at most 1,000,000 seeds; N alone is N..N
                      (default: the scenario's seed)
  --workers K         worker threads, 1..64 (default: 1 below 16 seeds, else one per core)
${UNTIL}
${SET}

Exit: 0 every invariant held on every seed, 1 a seed broke one, 2 bad input.
`,
  sweep: `Usage: dslab sweep <file> --seeds A..B [--workers K] [--until-ms T] [--set path=value ...]

Runs every seed in A..B and prints one NDJSON line per seed, in seed order, each the
object \`dslab run --json\` prints. The output is the same for any --workers.
Progress and a summary go to stderr.

  --seeds A..B        seed range, inclusive, at most 1,000,000 seeds (required)
  --workers K         worker threads, 1..64 (default: 1 below 16 seeds, else one per core)
${UNTIL}
${SET}

Exit: 0 every seed passed, 1 some seed broke an invariant, 2 bad input.
`,
  trace: `Usage: dslab trace <file> [--seed N] [--from i] [--to j] [--until-ms T] [--set path=value ...]

Prints the trace rows of events i (inclusive) to j (exclusive) as NDJSON, one event row
a line. A note with the seed goes to stderr.

  --seed N            seed (default: the scenario's seed)
  --from i            first event index (default 0)
  --to j              end event index, exclusive (default: the end of the run)
${UNTIL}
${SET}

Exit: 0, 1 when the traced run broke an invariant, 2 bad input.
`,
  shiviz: `Usage: dslab shiviz <file> [--seed N] [--from i] [--to j] [--until-ms T] [--set path=value ...] [--out FILE]

Writes the events of a run (of any protocol) in the log format ShiViz opens
(https://bestchai.bitbucket.io/shiviz/, "Select a file"): the parsing regex, an empty
delimiter line, then per event its text and "<process> <vector clock as JSON>". The
clocks are computed from the trace (happened-before: process order plus messages) over
the events exported, so each process's own entry starts at 1.

  --seed N            seed (default: the scenario's seed)
  --from i            first event index (default 0)
  --to j              end event index, exclusive (default: the end of the run)
  --out FILE          write FILE (whole or not at all) instead of stdout
${UNTIL}
${SET}

Exit: 0, 1 when the run broke an invariant (the log is written anyway), 2 bad input.
`,
  bench: `Usage: dslab bench [--json] [--quick]

Runs the kernel benchmark (bench/run.ts) in a child process.

  --json              machine-readable result
  --quick             the runner's short mode

Exit: the runner's (0 when every target was met).
`,
  library: `Usage: dslab library <command> [options] [--data DIR]

The DSLab library (the same one the app shows), in the data folder of the app or DIR:
  list [--kind scenario|exercise] [--tag TAG] [--search TEXT] [--trash] [--limit N] [--json]
  import FILE...                 import .dslab.json files (each all or nothing)
  export ID... [--out FILE] [--title TEXT]
                                 write one item, or a bundle of several, to FILE or stdout
  delete ID... [--permanent]     move items to the trash (--permanent: delete for good)
  empty-trash                    delete everything in the trash for good

  --data DIR          data folder (default: $DSLAB_DATA_DIR, else the app's)

Exit: 0 done, 1 refused (invalid file, unknown id), 2 usage error.
`,
  help: `Usage: dslab help [command]

Prints the list of commands, or one command's options.
`,
};
