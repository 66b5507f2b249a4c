package spcompat.job;

import com.example.common.Json;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.graph.StreamingJobGraphGenerator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
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
    private static Throwable runMain(String mainClass, String[] args, long timeoutMs) throws Exception {
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

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x", x & 0xff));
        return sb.toString();
    }

    static Map<Integer, String> operatorIds(StreamGraph sg) {
        Map<Integer, String> m = new HashMap<>();
        new StreamGraphHasherV2().traverseStreamGraphAndGenerateHashes(sg)
                .forEach((node, hash) -> m.put(node, hex(hash)));
        return m;
    }

    static String partitioner(StreamEdge e) {
        switch (e.getPartitioner().getClass().getSimpleName()) {
            case "ForwardPartitioner": return "FORWARD";
            case "KeyGroupStreamPartitioner": return "HASH";
            case "RebalancePartitioner": return "REBALANCE";
            case "RescalePartitioner": return "RESCALE";
            case "ShufflePartitioner": return "SHUFFLE";
            case "BroadcastPartitioner": return "BROADCAST";
            case "GlobalPartitioner": return "GLOBAL";
            default: return "CUSTOM";
        }
    }

    private static int maxParallelismOf(StreamNode n) {
        try {
            Field f = StreamNode.class.getDeclaredField("maxParallelism");
            f.setAccessible(true);
            return f.getInt(n);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    /** The job-graph document of one pipeline, without state (spcompat adds it). */
    static Map<String, Object> describe(StreamGraph sg, int pipelines) {
        Map<Integer, String> ids = operatorIds(sg);
        Configuration conf = CapturingEnvironment.firstConfiguration;
        Map<String, Object> doc = Json.obj();
        doc.put("format", "spcompat-job-graph/1");
        doc.put("job", sg.getJobName());
        doc.put("flinkVersion", org.apache.flink.runtime.util.EnvironmentInformation.getVersion());
        String backend = conf == null ? null : conf.getString("state.backend.type", conf.getString("state.backend", null));
        doc.put("stateBackend", backend == null ? "hashmap" : backend.toLowerCase());
        doc.put("pipelines", pipelines);
        List<Object> ops = new ArrayList<>();
        List<StreamNode> nodes = new ArrayList<>(sg.getStreamNodes());
        nodes.sort(Comparator.comparingInt(StreamNode::getId));
        for (StreamNode n : nodes) {
            Map<String, Object> o = Json.obj();
            o.put("node", n.getId());
            o.put("name", n.getOperatorName());
            if (n.getTransformationUID() != null) o.put("uid", n.getTransformationUID());
            if (n.getUserHash() != null) o.put("uidHash", n.getUserHash().toLowerCase());
            o.put("operatorId", ids.get(n.getId()));
            o.put("parallelism", n.getParallelism());
            int mp = maxParallelismOf(n);
            if (mp > 0) o.put("maxParallelism", mp);
            List<Object> inputs = new ArrayList<>();
            for (StreamEdge e : n.getInEdges()) {
                Map<String, Object> in = Json.obj();
                in.put("node", e.getSourceId());
                in.put("partitioner", partitioner(e));
                inputs.add(in);
            }
            o.put("inputs", inputs);
            StreamOperatorFactory<?> fac = n.getOperatorFactory();
            if (fac != null) o.put("chainingStrategy", fac.getChainingStrategy().name());
            o.put("slotSharingGroup", n.getSlotSharingGroup());
            ops.add(o);
        }
        doc.put("operators", ops);
        return doc;
    }

    /** Starts the pipeline with idle sources, takes one savepoint once every task runs, cancels. */
    static String captureState(StreamGraph sg, File dir, long timeoutMs) throws Exception {
        Map<Integer, String> before = operatorIds(sg);
        Sources.makeIdle(sg);
        JobGraph jobGraph = StreamingJobGraphGenerator.createJobGraph(sg);
        TreeSet<String> generated = new TreeSet<>();
        int slots = 0;
        Map<String, Integer> perGroup = new HashMap<>();
        for (JobVertex v : jobGraph.getVertices()) {
            for (OperatorIDPair p : v.getOperatorIDs()) generated.add(p.getGeneratedOperatorID().toHexString());
            String group = v.getSlotSharingGroup() == null ? "" : v.getSlotSharingGroup().toString();
            perGroup.merge(group, v.getParallelism(), Math::max);
        }
        for (int p : perGroup.values()) slots += p;
        if (!generated.equals(new TreeSet<>(before.values()))) {
            throw new IllegalStateException("idle sources changed the operator IDs: " + before.values() + " vs " + generated);
        }
        dir.mkdirs();
        Capture capture = new Capture(CapturingEnvironment.firstConfiguration, dir, Math.max(1, slots));
        try {
            return capture.savepoint(jobGraph, timeoutMs);
        } finally {
            capture.close();
        }
    }
}
