package spcompat.job;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The environment every getExecutionEnvironment() returns while the job's main() runs: each
 * execute/executeAsync variant ends in execute(StreamGraph) or executeAsync(StreamGraph), which
 * keep the pipeline instead of submitting it, so main() goes on (and may execute again).
 */
final class CapturingEnvironment extends StreamExecutionEnvironment {
    static final List<StreamGraph> CAPTURED = Collections.synchronizedList(new ArrayList<>());
    /** The configuration of the first environment main() asked for (state backend etc.). */
    static volatile Configuration firstConfiguration;

    CapturingEnvironment(Configuration conf) {
        super(conf);
        if (firstConfiguration == null) firstConfiguration = new Configuration(conf);
    }

    static void install() {
        initializeContextEnvironment(CapturingEnvironment::new);
    }

    @Override
    public JobExecutionResult execute(StreamGraph streamGraph) {
        JobID id = keep(streamGraph);
        return new JobExecutionResult(id, 0L, new HashMap<>());
    }

    @Override
    public JobClient executeAsync(StreamGraph streamGraph) {
        JobID id = keep(streamGraph);
        JobExecutionResult result = new JobExecutionResult(id, 0L, new HashMap<>());
        // A client for a job that finished at once; a proxy, because JobClient's methods differ
        // between Flink releases.
        return (JobClient) Proxy.newProxyInstance(
                JobClient.class.getClassLoader(),
                new Class<?>[] {JobClient.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getJobID": return id;
                        case "getJobExecutionResult": return CompletableFuture.completedFuture(result);
                        case "getJobStatus":
                            return CompletableFuture.completedFuture(org.apache.flink.api.common.JobStatus.FINISHED);
                        case "toString": return "captured job " + id;
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == args[0];
                        default:
                            return method.getReturnType() == CompletableFuture.class
                                    ? CompletableFuture.completedFuture(null) : null;
                    }
                });
    }

    private JobID keep(StreamGraph graph) {
        CAPTURED.add(graph);
        JobID id = new JobID();
        System.err.println("export-job: captured pipeline " + CAPTURED.size() + " (" + graph.getJobName() + ")");
        return id;
    }
}
