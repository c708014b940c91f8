/**
 * The event queue: a binary min-heap of event slots ordered by (time, seq). seq is an
 * insertion counter, so two events at one time pop in the order they were scheduled, on
 * every run. Hand-written over typed arrays (no objects per event, no comparator closure):
 * the heap holds slot numbers; the slot columns hold the event fields. A free list recycles
 * slots so steady-state runs allocate nothing.
 *
 * Events whose times the caller schedules in non-decreasing order (a fixed delay from now,
 * such as client timeouts) can go to a FIFO lane beside the heap (pushLate): they pop in the
 * same (time, seq) order as from the heap, without making it deeper. A closed-loop workload
 * keeps one timeout queued per operation of the last timeout span (about 160 of the 185
 * queued events of the Raft benchmark), which the heap's every push and pop had to sift past.
 */
export class EventHeap {
  /** Heap order: slot numbers. */
  heap: Int32Array;
  /** Number of queued events (heap and lane). */
  size = 0;
  /** Number of events in the heap. */
  private hn = 0;
  /** The FIFO lane: slot numbers in pop order, from laneHead to laneTail (exclusive). */
  private lane: Int32Array;
  private laneHead = 0;
  private laneTail = 0;
  /** Per slot: virtual time in microseconds. */
  time: Float64Array;
  /** Per slot: insertion sequence number (tie-breaker). */
  seq: Float64Array;
  /** Per slot: event kind (EventKind). */
  kind: Uint8Array;
  /** Per slot: target node index. */
  node: Int32Array;
  /** Per slot: peer node index (sender of a message) or -1. */
  peer: Int32Array;
  /** Per slot: a kind-specific integer (send id, timer generation, ...). */
  arg: Float64Array;
  /** Per slot: a kind-specific object (message, fault) or undefined. */
  payload: unknown[];
  private free: Int32Array;
  private freeCount = 0;
  private used = 0;

  constructor(capacity = 1024) {
    this.heap = new Int32Array(capacity);
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.node = new Int32Array(capacity);
    this.peer = new Int32Array(capacity);
    this.arg = new Float64Array(capacity);
    this.payload = new Array(capacity);
    this.free = new Int32Array(capacity);
    this.lane = new Int32Array(capacity);
  }

  private grow(): void {
    const cap = this.heap.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a as never);
      return b;
    };
    this.heap = g(this.heap, (n) => new Int32Array(n));
    this.time = g(this.time, (n) => new Float64Array(n));
    this.seq = g(this.seq, (n) => new Float64Array(n));
    this.kind = g(this.kind, (n) => new Uint8Array(n));
    this.node = g(this.node, (n) => new Int32Array(n));
    this.peer = g(this.peer, (n) => new Int32Array(n));
    this.arg = g(this.arg, (n) => new Float64Array(n));
    this.free = g(this.free, (n) => new Int32Array(n));
    this.lane = g(this.lane, (n) => new Int32Array(n));
    this.payload.length = cap;
  }

  /** Queues an event; returns its slot. */
  push(
    time: number,
    seq: number,
    kind: number,
    node: number,
    peer: number,
    arg: number,
    payload: unknown,
  ): number {
    const slot = this.take(time, seq, kind, node, peer, arg, payload);
    this.size++;
    this.sift(slot, time, seq);
    return slot;
  }

  /**
   * Queues an event whose (time, seq) is not before that of any event queued with pushLate and
   * not yet popped (a fixed delay from a clock that never goes back): appended to the FIFO lane.
   * Otherwise (the delay changed) it goes to the heap. Pops in the same order as push.
   */
  pushLate(
    time: number,
    seq: number,
    kind: number,
    node: number,
    peer: number,
    arg: number,
    payload: unknown,
  ): number {
    const slot = this.take(time, seq, kind, node, peer, arg, payload);
    this.size++;
    if (this.laneTail > this.laneHead) {
      const last = this.lane[this.laneTail - 1]!;
      const lt = this.time[last]!;
      if (lt > time || (lt === time && this.seq[last]! > seq)) {
        this.sift(slot, time, seq);
        return slot;
      }
    }
    if (this.laneTail === this.lane.length) {
      // The lane never holds more slots than exist, so there is room once it is moved down.
      this.lane.copyWithin(0, this.laneHead, this.laneTail);
      this.laneTail -= this.laneHead;
      this.laneHead = 0;
    }
    this.lane[this.laneTail++] = slot;
    return slot;
  }

  /** A free slot holding the event's fields. */
  private take(
    time: number,
    seq: number,
    kind: number,
    node: number,
    peer: number,
    arg: number,
    payload: unknown,
  ): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount]!;
    else {
      if (this.used === this.heap.length) this.grow();
      slot = this.used++;
    }
    this.time[slot] = time;
    this.seq[slot] = seq;
    this.kind[slot] = kind;
    this.node[slot] = node;
    this.peer[slot] = peer;
    this.arg[slot] = arg;
    this.payload[slot] = payload;
    return slot;
  }

  /** Inserts a slot into the binary heap (sift up). */
  private sift(slot: number, time: number, seq: number): void {
    const heap = this.heap;
    const tm = this.time;
    const sq = this.seq;
    let i = this.hn++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ps = heap[p]!;
      const pt = tm[ps]!;
      if (pt < time || (pt === time && sq[ps]! < seq)) break;
      heap[i] = ps;
      i = p;
    }
    heap[i] = slot;
  }

  /** The slot of the earliest event, or -1. */
  peek(): number {
    if (this.laneTail === this.laneHead) return this.hn > 0 ? this.heap[0]! : -1;
    const l = this.lane[this.laneHead]!;
    if (this.hn === 0) return l;
    const h = this.heap[0]!;
    const ht = this.time[h]!;
    const lt = this.time[l]!;
    return lt < ht || (lt === ht && this.seq[l]! < this.seq[h]!) ? l : h;
  }

  /**
   * Removes the earliest event and returns its slot. The slot's fields stay readable until
   * the next push; call release(slot) when done with it.
   */
  pop(): number {
    return this.popPeeked(this.peek());
  }

  /** pop() when the caller just had `slot` from peek() (saves comparing the heap and the lane again). */
  popPeeked(slot: number): number {
    if (this.laneTail > this.laneHead && this.lane[this.laneHead] === slot) {
      this.laneHead++;
      if (this.laneHead === this.laneTail) {
        this.laneHead = 0;
        this.laneTail = 0;
      }
      this.size--;
      return slot;
    }
    return this.popHeap();
  }

  /** Removes the heap's earliest event (sift down) and returns its slot. */
  private popHeap(): number {
    const heap = this.heap;
    const top = heap[0]!;
    this.size--;
    const n = --this.hn;
    if (n > 0) {
      const last = heap[n]!;
      const tm = this.time;
      const sq = this.seq;
      const lt = tm[last]!;
      const ls = sq[last]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        let cs = heap[c]!;
        let ct = tm[cs]!;
        const r = c + 1;
        if (r < n) {
          const rs = heap[r]!;
          const rt = tm[rs]!;
          if (rt < ct || (rt === ct && sq[rs]! < sq[cs]!)) {
            c = r;
            cs = rs;
            ct = rt;
          }
        }
        if (lt < ct || (lt === ct && ls < sq[cs]!)) break;
        heap[i] = cs;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }

  /** Returns a popped slot to the free list. */
  release(slot: number): void {
    this.payload[slot] = undefined;
    this.free[this.freeCount++] = slot;
  }

  /** A compact copy of the queued events: the heap in heap order, then the lane in order (for checkpoints). */
  save(): HeapSnapshot {
    const n = this.size;
    const s: HeapSnapshot = {
      time: new Float64Array(n),
      seq: new Float64Array(n),
      kind: new Uint8Array(n),
      node: new Int32Array(n),
      peer: new Int32Array(n),
      arg: new Float64Array(n),
      payload: new Array(n),
      lane: n - this.hn,
    };
    for (let i = 0; i < n; i++) {
      const slot = i < this.hn ? this.heap[i]! : this.lane[this.laneHead + i - this.hn]!;
      s.time[i] = this.time[slot]!;
      s.seq[i] = this.seq[slot]!;
      s.kind[i] = this.kind[slot]!;
      s.node[i] = this.node[slot]!;
      s.peer[i] = this.peer[slot]!;
      s.arg[i] = this.arg[slot]!;
      s.payload[i] = this.payload[slot];
    }
    return s;
  }

  /** Replaces the queue with a snapshot. Heap order is kept, so it is a valid heap; the lane follows it. */
  load(s: HeapSnapshot): void {
    const n = s.time.length;
    const inLane = s.lane ?? 0;
    while (this.heap.length < n) this.grow();
    this.payload.fill(undefined);
    for (let i = 0; i < n; i++) {
      this.heap[i] = i;
      this.time[i] = s.time[i]!;
      this.seq[i] = s.seq[i]!;
      this.kind[i] = s.kind[i]!;
      this.node[i] = s.node[i]!;
      this.peer[i] = s.peer[i]!;
      this.arg[i] = s.arg[i]!;
      this.payload[i] = s.payload[i];
    }
    this.size = n;
    this.hn = n - inLane;
    for (let i = 0; i < inLane; i++) this.lane[i] = this.hn + i;
    this.laneHead = 0;
    this.laneTail = inLane;
    this.used = n;
    this.freeCount = 0;
  }
}

/** Queued events copied out of a heap, in heap order. */
export interface HeapSnapshot {
  /** Event times in microseconds. */
  time: Float64Array;
  /** Insertion sequence numbers. */
  seq: Float64Array;
  /** Event kinds. */
  kind: Uint8Array;
  /** Target node indexes. */
  node: Int32Array;
  /** Peer node indexes. */
  peer: Int32Array;
  /** Kind-specific integers. */
  arg: Float64Array;
  /** Kind-specific objects. */
  payload: unknown[];
  /** How many of the last entries were in the FIFO lane, in pop order (absent: none). */
  lane?: number;
}
