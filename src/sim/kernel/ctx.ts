import {
  type CheckEvent,
  type ClientResult,
  type ClockControl,
  type Ctx,
  DEFAULT_SLEW_PPM,
  type NodeId,
  type ProtocolMessage,
  type Random,
} from '../protocol';

/** The kernel services a context forwards to (implemented by the node table, nodes.ts). */
export interface CtxHost {
  /** The other protocol nodes of node i, sorted. */
  peersOf(i: number): readonly string[];
  /** Nodes of a role, sorted. */
  nodesWithRole(role: string): readonly string[];
  /** Node i's local clock now, integer microseconds. */
  localNowUs(i: number): number;
  /** A node's display name (its id when it has none). */
  nameOf(id: string): string;
  /** The workload's declared keys, in order. */
  keySpace(): readonly string[];
  /** Node i's clock jumps by deltaUs now (its timers re-planned). */
  stepClock(i: number, deltaUs: number): void;
  /** Node i's clock moves by deltaUs at ratePpm from now (its timers re-planned). */
  slewClock(i: number, deltaUs: number, ratePpm: number): void;
  /** What node i's slew in progress still has to apply now, signed µs. */
  slewLeftUs(i: number): number;
}

/** The largest slew rate a protocol may ask for, ppm (as the `clock-slew` fault's schema). */
const MAX_SLEW_PPM = 100_000;

/**
 * The context handed to every `on` call (contract v2), one per kernel, refreshed per input.
 * It is the outbox of etcd-raft's `Ready`: requests are queued in flat, reused arrays and the
 * kernel performs them once the handler returns (Kernel.runStep), so a handler that throws or a
 * node the nemesis crashes right after its step sends nothing. Nothing here is protocol code:
 * this is where the queueing speed lives.
 */
export class KernelCtx implements Ctx<unknown, ProtocolMessage> {
  /** This node's id. */
  self = '';
  /** This node's role. */
  role = '';
  /** This node's random stream. */
  rng: Random = undefined as unknown as Random;
  /** Kernel index of the node handling the input. */
  node = 0;

  /**
   * The node's clock (ClockControl). Unlike the outbox, a step or slew acts at once, as a
   * system call would: the handler's next ctx.now() reads the new time, and timers it sets
   * afterwards count from it.
   */
  readonly clock: ClockControl = {
    step: (deltaUs: number): void => {
      if (!Number.isFinite(deltaUs))
        throw new RangeError(
          `${this.self}: ctx.clock.step(${deltaUs}): the step must be a finite number of µs`,
        );
      this.host.stepClock(this.node, deltaUs);
    },
    slew: (deltaUs: number, ratePpm: number = DEFAULT_SLEW_PPM): void => {
      if (!Number.isFinite(deltaUs))
        throw new RangeError(
          `${this.self}: ctx.clock.slew(${deltaUs}): the correction must be a finite number of µs`,
        );
      if (!(ratePpm > 0 && ratePpm <= MAX_SLEW_PPM))
        throw new RangeError(
          `${this.self}: ctx.clock.slew(${deltaUs}, ${ratePpm}): the rate must be above 0 and at most ${MAX_SLEW_PPM} ppm`,
        );
      this.host.slewClock(this.node, deltaUs, ratePpm);
    },
    slewLeftUs: (): number => this.host.slewLeftUs(this.node),
  };

  /** Queued sends: destination and message, `nSend` of them. */
  readonly sendTo: string[] = [];
  readonly sendMsg: ProtocolMessage[] = [];
  nSend = 0;
  /** Queued timer commands: name, delay (-1 cancels), `nTimer` of them. */
  readonly timerName: string[] = [];
  readonly timerAfterUs: number[] = [];
  nTimer = 0;
  /** Queued replies: operation id, result, `nReply` of them. */
  readonly replyId: number[] = [];
  readonly replyResult: ClientResult[] = [];
  nReply = 0;
  /** Queued trace notes. */
  readonly notes: string[] = [];
  /** Check events of this input, read by the invariants. */
  readonly events: CheckEvent[] = [];

  constructor(
    private readonly host: CtxHost,
    /** Protocol params. */
    public params: unknown,
  ) {}

  /** Points the context at node i for one input and empties the outbox. */
  begin(i: number, self: string, role: string, rng: Random): void {
    this.node = i;
    this.self = self;
    this.role = role;
    this.rng = rng;
    this.nSend = 0;
    this.nTimer = 0;
    this.nReply = 0;
    if (this.notes.length !== 0) this.notes.length = 0;
    if (this.events.length !== 0) this.events.length = 0;
  }

  get peers(): readonly NodeId[] {
    return this.host.peersOf(this.node);
  }

  now(): number {
    return this.host.localNowUs(this.node);
  }

  nodesWithRole(role: string): readonly NodeId[] {
    return this.host.nodesWithRole(role);
  }

  nameOf(id: NodeId): string {
    return this.host.nameOf(id);
  }

  keySpace(): readonly string[] {
    return this.host.keySpace();
  }

  send(to: NodeId, msg: ProtocolMessage): void {
    const k = this.nSend++;
    this.sendTo[k] = to;
    this.sendMsg[k] = msg;
  }

  sendAll(role: string, msg: ProtocolMessage): void {
    const ids = this.host.nodesWithRole(role);
    for (let k = 0; k < ids.length; k++) if (ids[k] !== this.self) this.send(ids[k]!, msg);
  }

  setTimer(name: string, afterUs: number): void {
    if (!Number.isFinite(afterUs))
      throw new RangeError(`${this.self}: timer '${name}' set to fire after ${afterUs} us`);
    const k = this.nTimer++;
    this.timerName[k] = name;
    this.timerAfterUs[k] = Math.max(0, afterUs);
  }

  cancelTimer(name: string): void {
    const k = this.nTimer++;
    this.timerName[k] = name;
    this.timerAfterUs[k] = -1;
  }

  reply(op: { readonly id: number }, result: ClientResult): void {
    const k = this.nReply++;
    this.replyId[k] = op.id;
    this.replyResult[k] = result;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  emit(event: CheckEvent): void {
    this.events.push(event);
  }
}
