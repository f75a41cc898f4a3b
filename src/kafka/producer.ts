import { Partitioners, type Kafka, type Producer, type ProducerConfig } from "kafkajs";

/**
 * A producer with the Java client's default partitioner (murmur2 of the key), named explicitly:
 * it is kafkajs's default since v2, and naming it keeps kafkajs from warning at every start that
 * the default changed. Records keyed by trace id land where any other Kafka client's would.
 */
export function newProducer(kafka: Kafka, config: ProducerConfig = {}): Producer {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
}
