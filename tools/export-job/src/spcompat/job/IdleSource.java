package spcompat.job;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Stands in for a FLIP-27 source while state is captured: the SourceOperator around it still
 * registers its own reader state, but no enumerator contacts any system and no record is read.
 */
final class IdleSource<T> implements Source<T, IdleSource.NoSplit, Void> {
    private static final long serialVersionUID = 1L;

    static final class NoSplit implements SourceSplit {
        @Override
        public String splitId() {
            return "none";
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, NoSplit> createReader(SourceReaderContext ctx) {
        return new SourceReader<T, NoSplit>() {
            private final CompletableFuture<Void> never = new CompletableFuture<>();

            @Override public void start() {}
            @Override public InputStatus pollNext(ReaderOutput<T> out) { return InputStatus.NOTHING_AVAILABLE; }
            @Override public List<NoSplit> snapshotState(long checkpointId) { return Collections.emptyList(); }
            @Override public CompletableFuture<Void> isAvailable() { return never; }
            @Override public void addSplits(List<NoSplit> splits) {}
            @Override public void notifyNoMoreSplits() {}
            @Override public void close() {}
        };
    }

    @Override
    public SplitEnumerator<NoSplit, Void> createEnumerator(SplitEnumeratorContext<NoSplit> ctx) {
        return new SplitEnumerator<NoSplit, Void>() {
            @Override public void start() {}
            @Override public void handleSplitRequest(int subtask, String host) {}
            @Override public void addSplitsBack(List<NoSplit> splits, int subtask) {}
            @Override public void addReader(int subtask) {}
            @Override public Void snapshotState(long checkpointId) { return null; }
            @Override public void close() {}
        };
    }

    @Override
    public SplitEnumerator<NoSplit, Void> restoreEnumerator(SplitEnumeratorContext<NoSplit> ctx, Void checkpoint) {
        return createEnumerator(ctx);
    }

    @Override
    public SimpleVersionedSerializer<NoSplit> getSplitSerializer() {
        return new Empty<>(new NoSplit());
    }

    @Override
    public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
        return new Empty<>(null);
    }

    /** Writes nothing; reads back the one value. */
    static final class Empty<V> implements SimpleVersionedSerializer<V> {
        private final V value;

        Empty(V value) {
            this.value = value;
        }

        @Override public int getVersion() { return 1; }
        @Override public byte[] serialize(V v) { return new byte[0]; }
        @Override public V deserialize(int version, byte[] bytes) { return value; }
    }
}
