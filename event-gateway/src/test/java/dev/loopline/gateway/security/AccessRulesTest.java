package dev.loopline.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The access policy as documented in the README: a change to who may call what shows up here and
 * must be made on purpose.
 */
class AccessRulesTest {

    @Test
    void shouldGrantEachRouteTheDocumentedRoles() {
        assertThat(AccessRules.markdown()).isEqualTo("""
                | route | roles | what |
                |---|---|---|
                | `POST /v1/events` | `publisher` | publish an event |
                | `POST /v1/definitions` | `administrator` | create or edit a definition |
                | `GET /v1/definitions` | `administrator`, `reader` | list definitions with their versions and instance counts |
                | `GET /v1/definitions/schema` | `administrator`, `reader` | the JSON Schema of definition documents |
                | `GET /v1/definitions/{id}` | `administrator`, `reader` | read a definition |
                | `GET /v1/definitions/{id}/versions/{version}` | `administrator`, `reader` | read one saved version of a definition |
                | `POST /v1/definitions/{id}/activate` | `administrator` | activate a definition |
                | `POST /v1/definitions/{id}/deactivate` | `administrator` | deactivate a definition |
                | `POST /v1/definitions/{id}/instances` | `publisher`, `operator` | start an instance on demand, with initiation data (a publisher for source on-demand) |
                | `POST /v1/dialogs/{id}/sessions` | `publisher`, `operator` | start a dialog session (a publisher for source dialog) |
                | `GET /v1/dialogs/sessions/{sessionId}` | `publisher`, `operator` | a dialog session: its state, current page and answers |
                | `POST /v1/dialogs/sessions/{sessionId}/responses` | `publisher`, `operator` | answer a dialog session's current page |
                | `GET /v1/work-items` | `reader` | list the open work items of an assignee (approval steps), as instance queries do |
                | `POST /v1/work-items/{id}/complete` | `operator`, `application` | answer a work item: approve, reject, request a change or delegate (an application for its assignee) |
                | `POST /v1/migrations` | `operator` | migrate running instances to another version of their definition (dryRun=true: what it would do) |
                | `GET /v1/instances` | `reader` | query instances |
                | `GET /v1/instances/counts` | `reader` | count instances by state and status |
                | `POST /v1/instances/actions/{action}` | `operator` | act on every matching instance, in the background |
                | `GET /v1/operations/{id}` | `operator`, `reader` | a bulk action's progress |
                | `GET /v1/dead-letters` | `operator` | list dead letters and their reasons |
                | `POST /v1/dead-letters/{id}/replay` | `operator` | put a dead letter, as it was or mended, back on its topic |
                | `GET /v1/instances/{id}` | `reader` | read an instance |
                | `GET /v1/messages/<messageId>` | `reader`, `application` | read a message a workflow posted, and its answer |
                | `POST /v1/messages/<messageId>/ack` | `application` | answer a message (the message id as it is, slashes included) |
                | `GET /v1/instances/{id}/transitions` | `reader` | read an instance's transitions |
                | `POST /v1/instances/{id}/{action}` | `operator` | cancel, pause, resume or postpone |
                | `DELETE /v1/instances/{id}` | `operator` | delete a completed instance |
                | `GET /v1/local/instances` | `reader` | query this process's partitions (gateway processes ask each other) |
                | `GET /v1/local/instances/counts` | `reader` | count this process's partitions (gateway processes ask each other) |
                | `GET /health` | `reader`, `monitor` | readiness, as /health/ready |
                | `GET /health/ready` | `reader`, `monitor` | readiness: live, the brokers answer, and the query side has restored |
                | `GET /health/live` | `reader`, `monitor` | liveness: the producers, the definitions reader and the query side run |
                | `GET /metrics` | `monitor` | the gateway's metrics, in Prometheus' text format |
                | `GET /v1/me` | `publisher`, `administrator`, `operator`, `reader`, `application`, `monitor` | who the caller is, and its roles |
                | `GET /console` | `publisher`, `administrator`, `operator`, `reader`, `application`, `monitor` | the web console (also /console/) |
                | `GET /console/<path>` | `publisher`, `administrator`, `operator`, `reader`, `application`, `monitor` | the web console's files |
                """);
    }
}
