/**
 * Kinds of queued events (internal; the trace has its own kinds, trace.ts). The kernel's event
 * loop (Kernel.stepOne) pops one and hands it to the part that owns its kind: deliveries to
 * the network, timers to the timer tables, faults, workload and nemesis events to theirs.
 */
export const Ev = {
  start: 0,
  deliver: 1,
  timer: 2,
  fault: 3,
  openLoop: 4,
  clientNext: 5,
  clientTimeout: 6,
  nemesis: 7,
  scripted: 8,
} as const;
