package dev.loopline.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(
        packages = {"dev.loopline.runtime", "dev.loopline.definition.step"},
        importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /**
     * The state machine is plain Java: it decides, the processors around it talk to Kafka and
     * report metrics and traces.
     */
    @ArchTest
    static final ArchRule domainHasNoKafka = noClasses()
            .that()
            .resideInAPackage("dev.loopline.runtime.domain..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.apache.kafka..",
                    "io.micrometer..",
                    "io.opentelemetry..",
                    "dev.loopline.runtime.topology..",
                    "dev.loopline.runtime.store..");

    /** No wall clock in domain logic: time comes in with the input. */
    @ArchTest
    static final ArchRule domainReadsNoClock = noClasses()
            .that()
            .resideInAPackage("dev.loopline.runtime.domain..")
            .should()
            .callMethod(java.time.Instant.class, "now")
            .orShould()
            .callMethod(System.class, "currentTimeMillis");

    /**
     * The rules of the event half (ordering by dependency token, loop protection, a failing
     * definition's postponement, correlation keys) read only the API's records, the domain and the
     * JDK: no Kafka, no logging, no metrics.
     */
    @ArchTest
    static final ArchRule eventRulesArePlainJava = classes()
            .that()
            .resideInAPackage("dev.loopline.runtime.domain.event..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.loopline.api..", "dev.loopline.runtime.domain..", "java..");

    /**
     * The step types (what a step is, how it compiles, what it does when it runs) read the API's
     * records, the definition language (its documents through Jackson, its expressions) and the
     * JDK; never the runtime, Kafka, logging or metrics.
     */
    @ArchTest
    static final ArchRule stepTypesArePlainJava = classes()
            .that()
            .resideInAPackage("dev.loopline.definition.step..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "dev.loopline.api..",
                    "dev.loopline.definition..",
                    "com.fasterxml.jackson.databind..",
                    "com.fasterxml.jackson.core..",
                    "java..");
}
