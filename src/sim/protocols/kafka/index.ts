export { kafka, kafkaTopology, kafkaWorkload } from './kafka';
export { murmur2, partitionForKey, partitionForKeyless, toPositive } from './partitioner';
export * from './scenarios';
