// Confluent's own JavaScript serde as an independent peer of Loopline's Java serde.
//   node confluent-peer.mjs decode <registry url> <topic> <hex bytes>   → the record as JSON
//   node confluent-peer.mjs encode <registry url> <topic> <json record> → hex bytes, written with the
//                                                                         subject's latest schema
import { AvroDeserializer, AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';

const [mode, url, topic, data] = process.argv.slice(2);
const client = new SchemaRegistryClient({ baseURLs: [url] });

const asJson = (key, value) => {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Buffer) return value.toString('hex');
  return value;
};

if (mode === 'decode') {
  const value = await new AvroDeserializer(client, SerdeType.VALUE, {}).deserialize(topic, Buffer.from(data, 'hex'));
  console.log(JSON.stringify(value, asJson));
} else if (mode === 'encode') {
  const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
  const bytes = await serializer.serialize(topic, JSON.parse(data));
  console.log(Buffer.from(bytes).toString('hex'));
} else {
  console.error(`unknown mode ${mode}: use decode or encode`);
  process.exit(2);
}
