import type { FaultInput, Scenario } from '../../shared/scenario/schema';
import type { ServerState } from '../protocols/consensus/raft/types';
import type { Simulation } from '../simulation';

/**
 * A small driver for scripted Raft runs (golden transcripts, the paper's scenarios, bug
 * searches): run for a while, run until a condition on the servers holds, inject a fault,
 * name the current leader. It records a transcript of notable events (elections, leader
 * changes, commits at leaders, faults, violations) with their virtual times. Pure: it only
 * steps a Simulation.
 */
export class RaftDriver {
  /** Transcript lines so far. */
  readonly lines: string[] = [];
  private row = 0;
  private commits = new Map<string, number>();
  /** Server ids, sorted. */
  readonly servers: string[];

  constructor(
    /** The simulation being driven (created by the caller, so the caller registers the protocol). */
    readonly sim: Simulation,
    /** Also record commit advances at leaders. */
    private readonly recordCommits = true,
  ) {
    this.servers = sim.scenario.topology.nodes
      .filter((n) => n.role === 'server')
      .map((n) => n.id)
      .sort();
  }

  /** The scenario. */
  get scenario(): Scenario {
    return this.sim.scenario;
  }

  /** A server's state (the durable part while crashed), and whether it is up. */
  server(id: string): { up: boolean; s: ServerState } {
    const n = this.sim.nodeState(id)!;
    return { up: n.up, s: n.state as ServerState };
  }

  /** The running leader of the highest term, or '' when there is none. */
  leader(): string {
    let best = '';
    let term = -1;
    for (const id of this.servers) {
      const { up, s } = this.server(id);
      if (up && s.role === 'leader' && s.currentTerm > term) {
        best = id;
        term = s.currentTerm;
      }
    }
    return best;
  }

  private ms(us: number): string {
    return `${(us / 1000).toFixed(3).padStart(9)}ms`;
  }

  /** Records one scripted action. */
  say(text: string): void {
    this.lines.push(`> ${text}`);
  }

  private collect(): void {
    const sim = this.sim;
    const end = sim.traceRows;
    const rows = end > this.row ? sim.kernelForTests.trace.rows(this.row, end, end - this.row) : [];
    this.row = end;
    for (const r of rows) {
      if (r.kind === 'note' || r.kind === 'violation')
        this.lines.push(
          `${this.ms(r.timeUs)} ${r.node} ${r.kind === 'violation' ? 'VIOLATION ' : ''}${r.detail}`,
        );
      else if (r.kind === 'fault') this.lines.push(`${this.ms(r.timeUs)} fault ${r.detail}`);
    }
    if (!this.recordCommits) return;
    for (const id of this.servers) {
      const { up, s } = this.server(id);
      if (!up || s.role !== 'leader') continue;
      const before = this.commits.get(id) ?? 0;
      if (s.commitIndex > before)
        this.lines.push(
          `${this.ms(sim.nowUs)} ${id} commits through ${s.commitIndex} (term ${s.currentTerm})`,
        );
      this.commits.set(id, s.commitIndex);
    }
    for (const id of this.servers) {
      const { up, s } = this.server(id);
      if (!up || s.role !== 'leader') this.commits.set(id, up ? s.commitIndex : 0);
    }
  }

  /** One event; false when the run cannot go on. */
  private stepOne(): boolean {
    const r = this.sim.step(1);
    this.collect();
    return r.steps > 0;
  }

  /** Runs for `ms` of virtual time. */
  run(ms: number): void {
    const until = this.sim.nowUs + ms * 1000;
    while (!this.sim.done) {
      const next = this.sim.kernelForTests.nextEventUs();
      if (next < 0 || next > until) break;
      if (!this.stepOne()) break;
    }
  }

  /** Runs until `pred` holds (checked after every event) or `maxMs` passes; returns whether it held. */
  until(pred: () => boolean, maxMs: number): boolean {
    const until = this.sim.nowUs + maxMs * 1000;
    if (pred()) return true;
    while (!this.sim.done) {
      const next = this.sim.kernelForTests.nextEventUs();
      if (next < 0 || next > until) return false;
      if (!this.stepOne()) return false;
      if (pred()) return true;
    }
    return false;
  }

  /** Runs until some server other than those in `not` is leader; returns it ('' if none within maxMs). */
  untilLeader(maxMs = 5000, not: readonly string[] = []): string {
    let found = '';
    this.until(() => {
      const l = this.leader();
      if (l !== '' && !not.includes(l)) found = l;
      return found !== '';
    }, maxMs);
    return found;
  }

  /** Injects a fault now. */
  inject(fault: FaultInput): void {
    // Queued at the current time, after the events already queued for it; applied by the next step.
    this.sim.inject(fault);
  }

  /** Everything recorded, one line each. */
  transcript(): string {
    return `${this.lines.join('\n')}\n`;
  }
}
