export { type Ballot, ballotStr, cmpBallot, sameBallot } from './ballot';
export {
  type AcceptorState,
  type ClientState,
  chosenValues,
  type LearnerState,
  type PaxosMsg,
  PaxosParams,
  type PaxosState,
  type ProposerState,
  paxos,
  paxosTopology,
} from './paxos';
