package dev.loopline.api;

import java.util.List;
import java.util.Objects;

/**
 * Loopline's topics, all named under one prefix so that several deployments (or several tests)
 * can share a broker. Immutable: build one per deployment and pass it around.
 *
 * <table>
 *   <tr><th>topic</th><th>key</th><th>value</th></tr>
 *   <tr><td>definitions (compacted)</td><td>definition id</td><td>WorkflowDefinition</td></tr>
 *   <tr><td>events</td><td>entity id</td><td>PlatformEvent</td></tr>
 *   <tr><td>instance-commands</td><td>instance id</td><td>InstanceCommand (internal)</td></tr>
 *   <tr><td>correlation-commands</td><td>correlation key</td><td>CorrelationCommand (internal)</td></tr>
 *   <tr><td>dependency-commands</td><td>entity id</td><td>ReleaseToken (internal); same partitions as events</td></tr>
 *   <tr><td>messages</td><td>instance id</td><td>WorkflowMessage</td></tr>
 *   <tr><td>operator-results</td><td>request id</td><td>OperatorResult (internal)</td></tr>
 *   <tr><td>acks</td><td>instance id, or anything</td><td>Acknowledgement</td></tr>
 *   <tr><td>acks-rerouted</td><td>instance id</td><td>Acknowledgement (the acks topic's bytes); acknowledgements
 *       that arrived on a partition other than their instance's</td></tr>
 *   <tr><td>transitions</td><td>instance id</td><td>InstanceTransition</td></tr>
 *   <tr><td>dlq</td><td>original key</td><td>original bytes, reason in headers</td></tr>
 * </table>
 *
 * <p>instance-commands, acks and acks-rerouted are read by the same processors and must have the
 * same number of partitions (co-partitioning). An acknowledgement may be on any partition of acks:
 * one whose instance is elsewhere is written again to acks-rerouted, keyed by its instance id.
 */
public record Topics(String prefix) {

    public static final String DEFAULT_PREFIX = "loopline.";

    public Topics {
        Objects.requireNonNull(prefix, "prefix");
    }

    public static Topics withDefaultPrefix() {
        return new Topics(DEFAULT_PREFIX);
    }

    public String definitions() {
        return prefix + "definitions";
    }

    /**
     * Every saved version of every definition (compacted), keyed by definition id ␟ version (10
     * digits): the definitions topic keeps only each definition's latest.
     */
    public String definitionVersions() {
        return prefix + "definition-versions";
    }

    public String events() {
        return prefix + "events";
    }

    public String instanceCommands() {
        return prefix + "instance-commands";
    }

    /** Open/close waits and correlated events, keyed by correlation key: the correlation half's input. */
    public String correlationCommands() {
        return prefix + "correlation-commands";
    }

    /** Completed jobs releasing their dependency token, keyed like events (entity id): into the event half. */
    public String dependencyCommands() {
        return prefix + "dependency-commands";
    }

    /** Completed jobs' outcomes, keyed by definition id: counted into each definition's health. */
    public String definitionOutcomes() {
        return prefix + "definition-outcomes";
    }

    /** Each definition's consecutive failures (compacted), read by every task to postpone new jobs. */
    public String definitionHealth() {
        return prefix + "definition-health";
    }

    /** The runtime's answers to operator commands, keyed by request id. */
    public String operatorResults() {
        return prefix + "operator-results";
    }

    public String messages() {
        return prefix + "messages";
    }

    public String acks() {
        return prefix + "acks";
    }

    /** Acknowledgements written again, keyed by instance id, to reach their instance's partition. */
    public String acksRerouted() {
        return prefix + "acks-rerouted";
    }

    public String transitions() {
        return prefix + "transitions";
    }

    public String deadLetters() {
        return prefix + "dlq";
    }

    /** Every topic Loopline reads or writes, with whether it is compacted. */
    public List<TopicSpec> all() {
        return List.of(
                new TopicSpec(definitions(), true),
                new TopicSpec(definitionVersions(), true),
                new TopicSpec(events(), false),
                new TopicSpec(instanceCommands(), false),
                new TopicSpec(correlationCommands(), false),
                new TopicSpec(messages(), false),
                new TopicSpec(operatorResults(), false),
                new TopicSpec(dependencyCommands(), false),
                new TopicSpec(definitionOutcomes(), false),
                new TopicSpec(definitionHealth(), true),
                new TopicSpec(acks(), false),
                new TopicSpec(acksRerouted(), false),
                new TopicSpec(transitions(), false),
                new TopicSpec(deadLetters(), false));
    }

    /** A topic's name and cleanup policy. */
    public record TopicSpec(String name, boolean compacted) {}
}
