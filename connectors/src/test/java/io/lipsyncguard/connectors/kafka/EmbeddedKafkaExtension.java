package io.lipsyncguard.connectors.kafka;

import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One real single-node broker per test class, with a fresh topic per test: register as a static field. */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The running broker (between the class's first and last test). */
    public EmbeddedKafka broker() {
        if (kafka == null) {
            throw new IllegalStateException("the broker starts before the test class's first test");
        }
        return kafka;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** Creates a topic no other test uses, named {@code prefix-<uuid>}. */
    public String freshTopic(String prefix, int partitions) throws InterruptedException {
        String topic = prefix + "-" + UUID.randomUUID();
        broker().createTopic(topic, partitions);
        return topic;
    }
}
