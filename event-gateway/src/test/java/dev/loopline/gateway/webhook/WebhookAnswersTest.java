package dev.loopline.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopline.api.ErrorCategories;
import dev.loopline.api.Topics;
import dev.loopline.client.Ack;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookAnswersTest {

    @Test
    void shouldTakeA2xxAsSuccessWithTheBodysScalarsAsOutput() {
        Ack ack = WebhookDelivery.answer(200, "{\"approved\":true,\"approver\":\"m\",\"n\":3,\"x\":1.5,\"list\":[1]}");

        assertThat(ack.isSucceeded()).isTrue();
        assertThat(ack.output())
                .containsOnly(
                        Map.entry("approved", true),
                        Map.entry("approver", "m"),
                        Map.entry("n", 3L),
                        Map.entry("x", 1.5));
        assertThat(WebhookDelivery.answer(204, "").output()).isEmpty();
        assertThat(WebhookDelivery.answer(200, "not json").output()).isEmpty();
    }

    @Test
    void shouldRetryWhatMaySucceedLaterAndSuspendWhatARequestGotWrong() {
        assertThat(WebhookDelivery.answer(503, "").errorCategory()).contains(ErrorCategories.TRANSIENT);
        assertThat(WebhookDelivery.answer(429, "").errorCategory()).contains(ErrorCategories.TRANSIENT);
        assertThat(WebhookDelivery.answer(408, "").errorCategory()).contains(ErrorCategories.TRANSIENT);
        Ack refused = WebhookDelivery.answer(400, "{\"error\":\"invalid report\"}");
        assertThat(refused.errorCategory()).contains(ErrorCategories.SUSPEND);
        assertThat(refused.errorCode()).contains("Webhook400");
        assertThat(refused.errorMessage().orElseThrow()).contains("invalid report");
    }

    @Test
    void shouldAcceptOnlyHttpsBindingsAndAGoodSecret() {
        Topics topics = Topics.withDefaultPrefix();
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

        WebhookSettings settings = WebhookSettings.from(
                Map.of(
                        "LOOPLINE_WEBHOOKS",
                        "RequestApproval=https://app.example/hooks",
                        "LOOPLINE_WEBHOOK_SECRET",
                        secret),
                topics);
        assertThat(settings.enabled()).isTrue();
        assertThat(settings.group()).isEqualTo("loopline.webhooks");
        assertThat(settings.toString()).doesNotContain(secret);
        assertThat(WebhookSettings.from(Map.of(), topics).enabled()).isFalse();
        assertThatThrownBy(() -> WebhookSettings.from(
                        Map.of("LOOPLINE_WEBHOOKS", "A=http://app.example/hooks", "LOOPLINE_WEBHOOK_SECRET", secret),
                        topics))
                .hasMessageContaining("not https");
        assertThatThrownBy(() -> WebhookSettings.from(Map.of("LOOPLINE_WEBHOOKS", "A=https://app.example"), topics))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
