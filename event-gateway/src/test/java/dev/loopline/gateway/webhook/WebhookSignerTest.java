package dev.loopline.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WebhookSignerTest {

    @Test
    void shouldSignLikeTheStandardWebhooksSpecificationsExample() {
        // the example of the specification's reference libraries
        WebhookSigner signer = new WebhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        assertThat(signer.signature("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void shouldRefuseASecretNotInTheSpecificationsFormat() {
        assertThatThrownBy(() -> new WebhookSigner("hunter2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WebhookSigner("whsec_c2hvcnQ=")).hasMessageContaining("at least 24 bytes");
    }
}
