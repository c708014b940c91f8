export {
  type Cmd,
  chosenInSlot,
  cmdKey,
  cmdStr,
  type MpClientState,
  type MultiPaxosMsg,
  MultiPaxosParams,
  type MultiPaxosState,
  multiPaxos,
  multiPaxosTopology,
  type ReplicaState,
} from './multi-paxos';
