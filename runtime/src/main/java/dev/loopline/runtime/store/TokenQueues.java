package dev.loopline.runtime.store;

import dev.loopline.api.internal.TokenQueue;
import java.util.ArrayList;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The "dependency-queues" store, in the event half: {@code <dependency token>} → {@link TokenQueue}
 * (the job holding the token and the jobs waiting, in creation order). A token nobody holds or
 * waits for has no entry, so the store holds only busy tokens.
 */
public final class TokenQueues {

    private final KeyValueStore<String, TokenQueue> store;

    private TokenQueues(KeyValueStore<String, TokenQueue> store) {
        this.store = store;
    }

    public static TokenQueues from(ProcessorContext<?, ?> context, String storeName) {
        return new TokenQueues(context.getStateStore(storeName));
    }

    /** The queue of the token (a fresh, free one if there is none). */
    public TokenQueue get(String token) {
        TokenQueue queue = store.get(token);
        return queue != null ? queue : new TokenQueue(null, new ArrayList<>());
    }

    public void put(String token, TokenQueue queue) {
        if (queue.getHolder() == null && queue.getWaiting().isEmpty()) {
            store.delete(token);
        } else {
            store.put(token, queue);
        }
    }
}
