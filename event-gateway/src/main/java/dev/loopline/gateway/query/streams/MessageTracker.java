package dev.loopline.gateway.query.streams;

import dev.loopline.api.internal.MessageEntry;
import dev.loopline.api.v1.Acknowledgement;
import dev.loopline.api.v1.WorkflowMessage;
import dev.loopline.gateway.query.store.MessageStore;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Keeps the messages the runtime posts ({@code loopline.messages}) and the first answer to each
 * ({@code loopline.acks} and {@code loopline.acks-rerouted}) in the "query-messages" store, so that
 * {@code POST /v1/messages/{id}/ack} can find a message's reply token and tell a repeated answer
 * from a different one. An answer is kept only if it echoes the message's reply token, as the
 * runtime requires. An acknowledgement on a partition other than its instance's finds nothing
 * here and is ignored: the runtime writes it again to acks-rerouted, on the right one.
 */
final class MessageTracker {

    private MessageTracker() {}

    /** The messages topic's records: a new entry per message id (a redelivered one keeps its answer). */
    static final class Messages implements Processor<String, WorkflowMessage, Void, Void> {
        private MessageStore messages;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            messages = MessageStore.from(context, QueryTopology.MESSAGES);
        }

        @Override
        public void process(Record<String, WorkflowMessage> record) {
            WorkflowMessage message = record.value();
            if (message == null || messages.get(message.getMessageId()) != null) {
                return;
            }
            messages.put(MessageEntry.newBuilder()
                    .setMessageId(message.getMessageId())
                    .setInstanceId(message.getInstanceId())
                    .setMessageName(message.getMessageName())
                    .setKind(message.getKind())
                    .setReplyToken(message.getReplyToken())
                    .setCreatedAt(message.getCreatedAt())
                    .build());
        }
    }

    /** The acks topics' records: the first answer that echoes the message's reply token. */
    static final class Answers implements Processor<String, Acknowledgement, Void, Void> {
        private MessageStore messages;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            messages = MessageStore.from(context, QueryTopology.MESSAGES);
        }

        @Override
        public void process(Record<String, Acknowledgement> record) {
            Acknowledgement ack = record.value();
            if (ack == null || ack.getMessageId() == null) {
                return;
            }
            MessageEntry entry = messages.get(ack.getMessageId());
            if (entry == null
                    || entry.getAnswer() != null
                    || !Objects.equals(entry.getReplyToken(), ack.getReplyToken())) {
                return;
            }
            entry.setAnswer(ack);
            messages.put(entry);
        }
    }
}
