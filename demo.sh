#!/usr/bin/env bash
# Loopline's local demo: builds what it needs, then starts Apache Kafka's KRaft broker (in the JVM),
# Apicurio Registry (child process), the runtime, the gateway and a sample handler, and plays the
# expense-report scenario, printing every transition. Ctrl-C stops everything. Pass --once to exit
# after the scenario.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./mvnw -q -B install -DskipTests -Dspotless.check.skip=true -pl demo -am
exec java \
  -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.loopline \
  -Dloopline.apicurio.home=demo/target/apicurio \
  -Dloopline.test.broker=embedded -Dloopline.test.registry=process \
  -jar demo/target/loopline-demo-0.1.0-SNAPSHOT.jar "$@"
