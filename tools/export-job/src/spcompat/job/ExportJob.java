package spcompat.job;

import com.example.common.JobGraphs;
import com.example.common.Json;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.graph.StreamingJobGraphGenerator;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

/**
 * Runs a DataStream job's main() with execute() captured, and writes the captured pipeline as a
 * spcompat job graph: operator IDs as Flink computes them, names, uids, parallelism, edges,
 * chaining. The state each operator registers is captured by starting the pipeline, with idle
 * sources, on a local MiniCluster and taking one canonical savepoint before any record flows;
 * spcompat reads that savepoint. What could not be captured is written as stateCaptureError.
 *
 * Usage: ExportJob --jar APP.jar [--class MAIN] --out JOB.json --savepoint-dir DIR
 *        [--pipeline N] [--timeout SECONDS] [-- ARGS...]
 */
public final class ExportJob {
    private ExportJob() {}

    public static void main(String[] argv) throws Exception {
        String jar = null, mainClass = null, out = null, savepointDir = null;
        int pipeline = 1;
        long timeoutMs = 60_000;
        String[] jobArgs = new String[0];
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--jar": jar = argv[++i]; break;
                case "--class": mainClass = argv[++i]; break;
                case "--out": out = argv[++i]; break;
                case "--savepoint-dir": savepointDir = argv[++i]; break;
                case "--pipeline": pipeline = Integer.parseInt(argv[++i]); break;
                case "--timeout": timeoutMs = Long.parseLong(argv[++i]) * 1000; break;
                case "--": jobArgs = Arrays.copyOfRange(argv, i + 1, argv.length); i = argv.length; break;
                default: fail("unknown argument " + argv[i]);
            }
        }
        if (jar == null || out == null || savepointDir == null) fail("--jar, --out and --savepoint-dir are required");
        if (mainClass == null) mainClass = manifestMainClass(jar);

        CapturingEnvironment.install();
        Throwable mainFailure = runMain(mainClass, jobArgs, timeoutMs);
        List<StreamGraph> graphs = new ArrayList<>(CapturingEnvironment.CAPTURED);
        if (graphs.isEmpty()) {
            if (mainFailure != null) {
                System.err.println("export-job: main() of " + mainClass + " failed before calling execute:");
                mainFailure.printStackTrace();
            } else {
                System.err.println("export-job: main() of " + mainClass + " returned without calling execute");
            }
            System.exit(4);
        }
        if (pipeline < 1 || pipeline > graphs.size()) {
            fail("--pipeline " + pipeline + ": main() executed " + graphs.size() + " pipeline(s)");
        }
        StreamGraph graph = graphs.get(pipeline - 1);
        Map<String, Object> doc = describe(graph, graphs.size());
        try {
            doc.put("captureSavepoint", captureState(graph, new File(savepointDir), timeoutMs));
        } catch (Throwable e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            doc.put("stateCaptureError", root.getClass().getName() + ": " + root.getMessage());
            System.err.println("export-job: state not captured: " + root);
        }
        Files.write(new File(out).toPath(), Json.write(doc).getBytes(StandardCharsets.UTF_8));
        System.exit(0);
    }

    private static void fail(String message) {
        System.err.println("export-job: " + message);
        System.exit(2);
    }

    private static String manifestMainClass(String jar) throws Exception {
        try (JarFile f = new JarFile(jar)) {
            String m = f.getManifest() == null ? null : f.getManifest().getMainAttributes().getValue("Main-Class");
            if (m == null) fail(jar + " has no Main-Class in its manifest: give --class");
            return m;
        }
    }

    /** Runs main() in its own thread, bounded in time; returns what it threw, if anything. */
    static Throwable runMain(String mainClass, String[] args, long timeoutMs) throws Exception {
        Method main = Class.forName(mainClass).getMethod("main", String[].class);
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                main.invoke(null, (Object) args);
            } catch (InvocationTargetException e) {
                thrown[0] = e.getCause();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, "job-main");
        t.setDaemon(true);
        t.start();
        t.join(timeoutMs);
        if (t.isAlive()) System.err.println("export-job: main() still runs after " + timeoutMs / 1000 + " s; using what it executed");
        return thrown[0];
    }

    /** The state backend the job's configuration names (lower case), Flink's default hashmap without one. */
    static String stateBackend(Configuration conf) {
        String backend = conf == null ? null : conf.getString("state.backend.type", conf.getString("state.backend", null));
        return backend == null ? "hashmap" : backend.toLowerCase();
    }

    /** The job-graph document of one pipeline, without state (spcompat adds it). */
    static Map<String, Object> describe(StreamGraph sg, int pipelines) {
        Map<Integer, String> ids = JobGraphs.operatorIds(sg);
        Configuration conf = CapturingEnvironment.firstConfiguration;
        Map<String, Object> doc = JobGraphs.header(sg.getJobName(),
                org.apache.flink.runtime.util.EnvironmentInformation.getVersion());
        doc.put("stateBackend", stateBackend(conf));
        doc.put("pipelines", pipelines);
        List<Object> ops = new ArrayList<>();
        for (StreamNode n : JobGraphs.nodesInOrder(sg.getStreamNodes())) {
            int mp = JobGraphs.maxParallelism(n);
            Map<String, Object> o = JobGraphs.node(n, ids.get(n.getId()), n.getParallelism(), mp > 0 ? mp : null, true);
            Map<String, Object> window = Windows.describe(n);
            if (window != null) o.put("window", window);
            String lazy = LazyState.reason(n);
            if (lazy != null) o.put("stateNotCaptured", lazy);
            ops.add(o);
        }
        doc.put("operators", ops);
        return doc;
    }

    /** Starts the pipeline with idle sources, takes one savepoint once every task runs, cancels. */
    static String captureState(StreamGraph sg, File dir, long timeoutMs) throws Exception {
        Map<Integer, String> before = JobGraphs.operatorIds(sg);
        boolean asyncState = JobGraphs.usesAsyncState(sg);
        Sources.makeIdle(sg);
        JobGraph jobGraph = StreamingJobGraphGenerator.createJobGraph(sg);
        JobGraphs.requireSameIds(jobGraph, before.values(), "idle sources changed the operator IDs");
        int slots = 0;
        Map<String, Integer> perGroup = new HashMap<>();
        for (JobVertex v : jobGraph.getVertices()) {
            String group = v.getSlotSharingGroup() == null ? "" : v.getSlotSharingGroup().toString();
            perGroup.merge(group, v.getParallelism(), Math::max);
        }
        for (int p : perGroup.values()) slots += p;
        dir.mkdirs();
        // Not closed: main() exits the JVM right after, and closing a MiniCluster takes seconds.
        Capture capture = new Capture(CapturingEnvironment.firstConfiguration, dir, Math.max(1, slots), asyncState);
        return capture.savepoint(jobGraph, timeoutMs);
    }
}
