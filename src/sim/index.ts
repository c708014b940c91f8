/**
 * The simulation's public surface for hosts (main process, web server, CLI). Everything
 * returned is plain JSON-serialisable data.
 */
import './checkers/builtin';

export {
  type Fault,
  type FaultInput,
  parseScenario,
  type Scenario,
  type ScenarioInput,
  ScenarioSchema,
} from '../shared/scenario/schema';
export { causalityOf, ordering, toShiViz } from './analysis/causality';
export {
  checkScenario,
  defaultScenario,
  getProtocol,
  listProtocols,
  type ProtocolInfo,
  registerProtocol,
  type ScenarioIssue,
} from './catalog';
export {
  type HistoryChecker,
  type HistoryVerdict,
  historyChecker,
  type KvOp,
  registerHistoryChecker,
} from './checkers/history';
export {
  type ExperimentInfo,
  type ExperimentRun,
  type ExperimentSeries,
  type ExperimentSteps,
  experimentSteps,
  experimentsOf,
  runExperiment,
  startExperiment,
} from './experiments';
export type { Series, StopReason, Violation } from './kernel/kernel';
export { TRACE_KIND_NAMES, type TraceEvent, type TraceKindName } from './kernel/trace';
export type * from './protocol';
export { summarizeRunInPieces } from './run-summary';
export {
  type Change,
  createSimulation,
  type Divergence,
  type InPieces,
  KV_HISTORY_CHECKERS,
  type NodeInfo,
  ScenarioError,
  type SimStatus,
  Simulation,
  type SimulationOptions,
  type StepResult,
  type TraceFilter,
  type Verdict,
} from './simulation';
