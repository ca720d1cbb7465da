package dev.loopline.runtime.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopline.api.v1.AckError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailurePolicyTest {

    private final FailurePolicy policy = FailurePolicy.defaults();

    @Test
    void shouldGrowBackoffExponentiallyWithJitterAndStayUnderTheCap() {
        List<Duration> delays = new ArrayList<>();
        for (int attempt = 1; attempt <= 20; attempt++) {
            delays.add(policy.backoff("instance-1", attempt));
        }

        for (int attempt = 1; attempt <= 20; attempt++) {
            Duration delay = delays.get(attempt - 1);
            long nominal = Math.min(policy.cap().toMillis(), policy.base().toMillis() << (attempt - 1));
            assertThat(delay.toMillis()).as("attempt %d", attempt).isBetween((long) (nominal * 0.8), (long)
                    (nominal * 1.2));
            assertThat(delay).as("attempt %d", attempt).isLessThanOrEqualTo(policy.cap());
        }
        for (int attempt = 1; attempt < 10; attempt++) {
            assertThat(delays.get(attempt)).as("attempt %d grows", attempt + 1).isGreaterThan(delays.get(attempt - 1));
        }
    }

    @Test
    void shouldComputeTheSameBackoffOnReplayButSpreadInstancesApart() {
        assertThat(policy.backoff("instance-1", 3)).isEqualTo(policy.backoff("instance-1", 3));
        assertThat(List.of("a", "b", "c", "d").stream()
                        .map(id -> policy.backoff(id, 3))
                        .distinct())
                .hasSizeGreaterThan(1);
    }

    @Test
    void shouldClassifyLikeDynamicsByDefault() {
        assertThat(policy.classify(error("ServerBusy", "busy"))).isEqualTo(FailurePolicy.Action.RETRY);
        assertThat(policy.classify(error("SqlTimeout", "storage"))).isEqualTo(FailurePolicy.Action.RETRY);
        assertThat(policy.classify(error("Denied", "authorization"))).isEqualTo(FailurePolicy.Action.SUSPEND);
        assertThat(policy.classify(error("Gone", "not-found"))).isEqualTo(FailurePolicy.Action.SUSPEND);
        assertThat(policy.classify(error("Whatever", null))).isEqualTo(FailurePolicy.Action.SUSPEND);
        assertThat(policy.classify(error("NeedsReview", "suspend"))).isEqualTo(FailurePolicy.Action.SUSPEND);
        assertThat(policy.classify(error("InvoiceVoided", "permanent"))).isEqualTo(FailurePolicy.Action.FAIL);
        assertThat(policy.classify(null)).isEqualTo(FailurePolicy.Action.SUSPEND);
    }

    @Test
    void shouldLetACodeRuleWinOverItsCategory() {
        FailurePolicy custom = new FailurePolicy(
                FailurePolicy.parse("InvalidInvoice=fail,category:transient=retry,*=suspend"),
                Duration.ofSeconds(1),
                Duration.ofMinutes(1),
                3);

        assertThat(custom.classify(error("InvalidInvoice", "transient"))).isEqualTo(FailurePolicy.Action.FAIL);
        assertThat(custom.classify(error("Timeout", "transient"))).isEqualTo(FailurePolicy.Action.RETRY);
    }

    private static AckError error(String code, String category) {
        return AckError.newBuilder()
                .setCode(code)
                .setMessage(code + " happened")
                .setCategory(category)
                .build();
    }
}
