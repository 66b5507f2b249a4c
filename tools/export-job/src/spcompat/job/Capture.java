package spcompat.job;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

import java.io.File;
import java.util.concurrent.TimeUnit;

/** A local MiniCluster in this JVM, for one state capture. */
final class Capture implements AutoCloseable {
    private final MiniCluster mini;
    private final File dir;

    Capture(Configuration jobConf, File dir, int slots) throws Exception {
        this.dir = dir;
        Configuration conf = jobConf == null ? new Configuration() : new Configuration(jobConf);
        conf.setString("restart-strategy.type", "none");
        conf.setString("execution.checkpointing.dir", new File(dir, "checkpoints").toURI().toString());
        conf.setString("state.checkpoints.dir", new File(dir, "checkpoints").toURI().toString());
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("128m"));
        mini = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        mini.start();
    }

    /** The savepoint's directory, once every task of the job runs. */
    String savepoint(JobGraph jobGraph, long timeoutMs) throws Exception {
        JobID id = jobGraph.getJobID();
        mini.submitJob(jobGraph).get(timeoutMs, TimeUnit.MILLISECONDS);
        long deadline = System.currentTimeMillis() + timeoutMs;
        try {
            while (true) {
                JobStatus st = mini.getJobStatus(id).get(10, TimeUnit.SECONDS);
                if (st.isGloballyTerminalState()) {
                    JobResult r = mini.requestJobResult(id).get(10, TimeUnit.SECONDS);
                    Throwable cause = r.getSerializedThrowable().isPresent()
                            ? r.getSerializedThrowable().get().deserializeError(ClassLoader.getSystemClassLoader())
                            : new IllegalStateException("the job ended (" + st + ") before its state could be captured");
                    throw new IllegalStateException("the job failed while its operators were set up", cause);
                }
                if (st == JobStatus.RUNNING && allRunning(id)) break;
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the operators were not all running after " + timeoutMs / 1000 + " s");
                }
                Thread.sleep(100);
            }
            return mini.triggerSavepoint(id, new File(dir, "savepoint").toURI().toString(), false,
                    SavepointFormatType.CANONICAL).get(timeoutMs, TimeUnit.MILLISECONDS);
        } finally {
            try {
                mini.cancelJob(id).get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // already over
            }
        }
    }

    private boolean allRunning(JobID id) throws Exception {
        AccessExecutionGraph g = mini.getExecutionGraph(id).get(10, TimeUnit.SECONDS);
        for (AccessExecutionVertex v : g.getAllExecutionVertices()) {
            if (v.getExecutionState() != ExecutionState.RUNNING) return false;
        }
        return true;
    }

    @Override
    public void close() throws Exception {
        mini.close();
    }
}
