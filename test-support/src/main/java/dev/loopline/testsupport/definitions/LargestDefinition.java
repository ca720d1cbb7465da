package dev.loopline.testsupport.definitions;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A definition document as large as the compiler allows: conditions of three instructions each
 * (a branch test, a message, a jump) and a final stop, with two expressions per condition, one of
 * them a regex. Used to measure deploying at the limit and to test one step past it.
 */
public final class LargestDefinition {

    private LargestDefinition() {}

    /** The document with {@code conditions} conditions, a stop and, if {@code extraStop}, a second stop. */
    public static String document(String id, int conditions, boolean extraStop) {
        String steps = IntStream.range(0, conditions)
                .mapToObj(i -> "{\"name\":\"check" + i + "\",\"kind\":\"condition\",\"branches\":[{\"when\":"
                        + "\"has(trigger.attributes.amount) && trigger.attributes.amount > " + i
                        + " && trigger.entityId.matches('^[A-Z]+-[0-9]+$')\",\"steps\":[{\"name\":\"notify" + i
                        + "\",\"kind\":\"send-message\",\"messageName\":\"Notify\",\"timeout\":\"PT1H\","
                        + "\"payload\":{\"step\":" + i + ",\"amount\":\"=trigger.attributes.amount * 2\"}}]}]}")
                .collect(Collectors.joining(","));
        return "{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"trigger\":{\"entityType\":\"invoice\","
                + "\"messageName\":\"Create\",\"condition\":\"trigger.attributes.amount > 0\"},\"steps\":[" + steps
                + ",{\"name\":\"done\",\"kind\":\"stop\"}"
                + (extraStop ? ",{\"name\":\"extra\",\"kind\":\"stop\"}" : "") + "]}";
    }

    /** How many conditions reach {@code instructions} exactly, with the final stop. */
    public static int conditionsFor(int instructions) {
        return (instructions - 1) / 3;
    }
}
