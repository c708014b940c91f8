export * from './scenarios';
export * from './two-phase-commit';
