package dev.loopline.systemtests.support;

/** Definition and event documents the system tests send through the gateway. */
public final class Definitions {

    private Definitions() {}

    /** One send-message step, triggered by {@code messageName} on {@code entityType}. */
    public static String oneStep(String id, String entityType, String messageName) {
        return """
                {"id":"%s","name":"%s","trigger":{"entityType":"%s","messageName":"%s"},
                 "steps":[{"name":"approval","kind":"send-message","messageName":"RequestApproval"}]}
                """.formatted(id, id, entityType, messageName);
    }

    public static String event(String eventId, String entityType, String entityId, String messageName) {
        return """
                {"eventId":"%s","source":"it","entityType":"%s","entityId":"%s","messageName":"%s",
                 "attributes":{"amount":100}}
                """.formatted(eventId, entityType, entityId, messageName);
    }
}
