package spcompat.job;

import com.example.common.LocalCluster;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;

import java.io.File;

/** A local MiniCluster in this JVM (java-common's LocalCluster), for one state capture. */
final class Capture implements AutoCloseable {
    /** Failures are only reported, not classified: no restore is read here. */
    private static final LocalCluster.Reading READING = new LocalCluster.Reading("task");

    private final LocalCluster cluster;
    private final File dir;
    /**
     * Native on ForSt, which takes no other kind, and for async state, whose canonical savepoint
     * fails; spcompat reads either format.
     */
    private final SavepointFormatType format;

    Capture(Configuration jobConf, File dir, int slots, boolean asyncState) throws Exception {
        this.dir = dir;
        Configuration conf = jobConf == null ? new Configuration() : new Configuration(jobConf);
        this.format = LocalCluster.savepointFormatFor(ExportJob.stateBackend(jobConf), asyncState);
        conf.setString("restart-strategy.type", "none");
        conf.setString("execution.checkpointing.dir", new File(dir, "checkpoints").toURI().toString());
        conf.setString("state.checkpoints.dir", new File(dir, "checkpoints").toURI().toString());
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("128m"));
        cluster = new LocalCluster(conf, slots, null);
        cluster.pollMs = 50;
        // The JVM exits once the job graph is written: cancelling is not waited for.
        cluster.awaitCancel = false;
        cluster.log = System.err::println;
    }

    /** The savepoint's directory, taken as soon as every task of the job runs; the job is then cancelled. */
    String savepoint(JobGraph jobGraph, long timeoutMs) throws Exception {
        LocalCluster.Outcome o = cluster.run(jobGraph, new LocalCluster.Outcome(), runningFor -> true,
                new File(dir, "savepoint"), format, timeoutMs, READING);
        switch (o.outcome) {
            case "restored":
                return o.savepointPath;
            case "timeout":
                throw new IllegalStateException("the operators were not all running after " + timeoutMs / 1000 + " s",
                        o.savepointFailure);
            default:
                Throwable cause = o.failure != null ? o.failure
                        : new IllegalStateException(o.message + " before its state could be captured");
                throw new IllegalStateException("the job failed while its operators were set up", cause);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
