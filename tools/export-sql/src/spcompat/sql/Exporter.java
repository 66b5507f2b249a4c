package spcompat.sql;

import com.example.common.JobGraphs;
import com.example.common.Json;

import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.PlanReference;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentImpl;
import org.apache.flink.table.delegation.InternalPlan;
import org.apache.flink.table.delegation.Planner;
import org.apache.flink.table.operations.ModifyOperation;
import org.apache.flink.table.operations.Operation;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the StreamGraph Flink submits for an SQL script (plain SQL or from a compiled plan),
 * computes the operator IDs with Flink's own StreamGraphHasherV2 and describes the graph in the
 * spcompat job-graph format.
 */
public final class Exporter {

    /** What an export produced. */
    public static final class Result {
        public Map<String, Object> jobGraph;
        /** The compiled plan of the script's INSERTs (the one the job ran from, in plan mode). */
        public String planJson;
    }

    private final StreamTableEnvironment tEnv;
    private final TableEnvironmentImpl impl;
    private final Planner planner;
    private final StreamExecutionEnvironment env;
    private final Configuration conf;
    private Configuration baseConfiguration = new Configuration();
    private int parallelism = -1;

    static final Map<String, String> NAMING_OPTIONS = new java.util.LinkedHashMap<>();

    static {
        NAMING_OPTIONS.put("table.exec.uid.generation", "ALWAYS");
        NAMING_OPTIONS.put("table.exec.uid.format", "<id>_<type>_<version>_<transformation>");
    }

    public Exporter(StreamExecutionEnvironment env, StreamTableEnvironment tEnv, Configuration conf) {
        this.env = env;
        this.tEnv = tEnv;
        this.impl = (TableEnvironmentImpl) tEnv;
        this.planner = impl.getPlanner();
        this.conf = conf;
    }

    /** A table environment configured with the script's SET options. */
    public static Exporter create(SqlScript script, Configuration base, int parallelism) {
        Configuration conf = new Configuration(base);
        for (Map.Entry<String, String> e : script.options.entrySet()) {
            conf.setString(e.getKey(), e.getValue());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        String p = script.options.get("parallelism.default");
        if (p != null) {
            env.setParallelism(Integer.parseInt(p.trim()));
        } else if (parallelism > 0) {
            env.setParallelism(parallelism);
        }
        StreamTableEnvironment tEnv =
                StreamTableEnvironment.create(env, EnvironmentSettings.newInstance().inStreamingMode().build());
        for (Map.Entry<String, String> e : script.options.entrySet()) {
            tEnv.getConfig().getConfiguration().setString(e.getKey(), e.getValue());
        }
        Exporter ex = new Exporter(env, tEnv, conf);
        ex.baseConfiguration = new Configuration(base);
        ex.parallelism = parallelism;
        return ex;
    }

    public StreamTableEnvironment tableEnv() {
        return tEnv;
    }

    public StreamExecutionEnvironment env() {
        return env;
    }

    /** Runs the script's DDL. */
    public void runDdl(SqlScript script) {
        for (String s : script.ddl) {
            tEnv.executeSql(s);
        }
    }

    /** The planner numbers ExecNodes with a JVM-wide counter; a fresh session starts at 1. */
    public void resetExecNodeIds() {
        try {
            Class<?> ctx = planner.getClass().getClassLoader()
                    .loadClass("org.apache.flink.table.planner.plan.nodes.exec.ExecNodeContext");
            ctx.getMethod("resetIdCounter").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reset the planner's ExecNode id counter", e);
        }
    }

    public List<ModifyOperation> operations(List<String> inserts) {
        List<ModifyOperation> ops = new ArrayList<>();
        for (String s : inserts) {
            for (Operation op : impl.getParser().parse(s)) {
                if (!(op instanceof ModifyOperation)) {
                    throw new IllegalArgumentException("not an INSERT statement: " + s);
                }
                ops.add((ModifyOperation) op);
            }
        }
        return ops;
    }

    /** The compiled plan of the INSERTs, numbered as in a fresh session. */
    public String compilePlan(List<String> inserts) {
        resetExecNodeIds();
        return planner.compilePlan(operations(inserts)).asJsonString();
    }

    /** Transformations of plain SQL (fresh numbering). */
    public List<Transformation<?>> translate(List<String> inserts) {
        resetExecNodeIds();
        return planner.translate(operations(inserts));
    }

    /** Transformations of a compiled plan. */
    public List<Transformation<?>> translatePlan(String planJson) {
        try {
            resetExecNodeIds();
            InternalPlan plan = planner.loadPlan(PlanReference.fromJsonString(planJson));
            return planner.translatePlan(plan);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The StreamGraph the table environment would submit for these transformations. */
    public StreamGraph streamGraph(List<Transformation<?>> transformations, String jobName) {
        try {
            Field f = TableEnvironmentImpl.class.getDeclaredField("execEnv");
            f.setAccessible(true);
            Object executor = f.get(impl);
            Object tableConfig = tEnv.getConfig();
            if (!(tableConfig instanceof ReadableConfig)) {
                tableConfig = tEnv.getConfig().getConfiguration();
            }
            Method m = executor.getClass().getMethod("createPipeline", List.class, ReadableConfig.class, String.class);
            return (StreamGraph) m.invoke(executor, transformations, tableConfig, jobName);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the pipeline", e);
        }
    }

    /**
     * Exports the job of a script: plain SQL, or (fromPlan) compiled and run from its plan as
     * COMPILE PLAN + EXECUTE PLAN do.
     */
    public Result export(SqlScript script, File baseDir, boolean forcePlan) throws Exception {
        runDdl(script);
        boolean fromPlan = forcePlan || script.fromPlan;
        String planJson;
        if (script.executePlanFile != null) {
            File pf = new File(script.executePlanFile);
            if (!pf.isAbsolute()) {
                pf = new File(baseDir, script.executePlanFile);
            }
            planJson = new String(Files.readAllBytes(pf.toPath()), StandardCharsets.UTF_8);
        } else {
            planJson = compilePlan(script.inserts);
        }
        List<Transformation<?>> ts = fromPlan ? translatePlan(planJson) : translate(script.inserts);
        String jobName = script.options.getOrDefault("pipeline.name", "insert-into");
        StreamGraph graph = streamGraph(ts, jobName);

        // A second translation with uids forced on names every StreamNode's ExecNode and
        // transformation (uid format <id>_<type>_<version>_<transformation>). It runs in a
        // table environment of its own so that this job's configuration stays as it is.
        SqlScript naming = script.withOptions(NAMING_OPTIONS);
        Exporter namer = Exporter.create(naming, baseConfiguration, parallelism);
        namer.runDdl(naming);
        List<Transformation<?>> named =
                fromPlan ? namer.translatePlan(planJson) : namer.translate(naming.inserts);
        StreamGraph namedGraph = namer.streamGraph(named, jobName);

        Result r = new Result();
        r.planJson = planJson;
        r.jobGraph = describe(graph, namedGraph, fromPlan);
        return r;
    }

    // ---- description ----------------------------------------------------------------------

    private static final Pattern NAMED_UID = Pattern.compile("^(\\d+)_([a-z0-9-]+_\\d+)_(.+)$");

    Map<String, Object> describe(StreamGraph graph, StreamGraph namedGraph, boolean fromPlan) {
        Map<Integer, byte[]> hashes = new StreamGraphHasherV2().traverseStreamGraphAndGenerateHashes(graph);

        List<StreamNode> nodes = JobGraphs.nodesInOrder(graph.getStreamNodes());
        List<StreamNode> namedNodes = JobGraphs.nodesInOrder(namedGraph.getStreamNodes());
        boolean aligned = nodes.size() == namedNodes.size();
        for (int i = 0; aligned && i < nodes.size(); i++) {
            aligned = String.valueOf(nodes.get(i).getOperatorName())
                    .equals(String.valueOf(namedNodes.get(i).getOperatorName()));
        }

        Map<String, Object> doc = JobGraphs.header(graph.getJobName(), flinkVersion());
        String maxP = conf.toMap().get("pipeline.max-parallelism");
        if (maxP != null) {
            doc.put("maxParallelism", Integer.parseInt(maxP.trim()));
        }
        if (!env.isChainingEnabled()) {
            doc.put("chaining", false);
        }
        doc.put("exportedBy", "spcompat export-sql");
        doc.put("sqlMode", fromPlan ? "compiled-plan" : "sql");
        List<Object> ops = Json.arr();
        for (int i = 0; i < nodes.size(); i++) {
            StreamNode n = nodes.get(i);
            int mp = JobGraphs.maxParallelism(n);
            boolean ownMaxP = mp > 0 && (maxP == null || mp != Integer.parseInt(maxP.trim()));
            Map<String, Object> o = JobGraphs.node(n, JobGraphs.hex(hashes.get(n.getId())), n.getParallelism(),
                    ownMaxP ? mp : null, false);
            String key = keyType(n);
            if (key != null) {
                o.put("keyType", key);
            }
            Map<String, Object> sql = Json.obj();
            if (aligned) {
                String uid = namedNodes.get(i).getTransformationUID();
                Matcher m = uid == null ? null : NAMED_UID.matcher(uid);
                if (m != null && m.matches()) {
                    sql.put("execNode", Integer.parseInt(m.group(1)));
                    sql.put("execType", m.group(2));
                    sql.put("transformation", m.group(3));
                }
            }
            inspectOperator(n.getOperatorFactory(), sql);
            if (!sql.isEmpty()) {
                o.put("sql", sql);
            }
            ops.add(o);
        }
        doc.put("operators", ops);
        return doc;
    }

    static String flinkVersion() {
        try {
            Class<?> c = Class.forName("org.apache.flink.runtime.util.EnvironmentInformation");
            return (String) c.getMethod("getVersion").invoke(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** The key type of a keyed operator: SQL keys are RowData, one logical type per field. */
    static String keyType(StreamNode n) {
        Object ser = n.getStateKeySerializer();
        if (ser == null) {
            return null;
        }
        Object types = field(ser, "types");
        if (types instanceof Object[]) {
            return row((Object[]) types);
        }
        return ser.getClass().getName();
    }

    static String row(Object[] types) {
        StringBuilder sb = new StringBuilder("ROW<");
        for (int i = 0; i < types.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append("`f").append(i).append("` ").append(serializable(types[i]));
        }
        return sb.append('>').toString();
    }

    static String serializable(Object logicalType) {
        try {
            return (String) logicalType.getClass().getMethod("asSerializableString").invoke(logicalType);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return logicalType.toString();
        }
    }

    /**
     * What the runtime operator says about its state: accumulator types (`accTypes`) and state
     * retention (`stateRetentionTime`) of SQL aggregate functions, found by reflection.
     */
    static void inspectOperator(StreamOperatorFactory<?> factory, Map<String, Object> sql) {
        if (factory == null) {
            return;
        }
        Object op = null;
        try {
            Method m = factory.getClass().getMethod("getOperator");
            op = m.invoke(factory);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not a SimpleOperatorFactory
        }
        if (op == null) {
            return;
        }
        sql.put("operatorClass", op.getClass().getName());
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        Object fn = findFunction(op, seen, 0, sql);
        if (fn != null) {
            sql.put("functionClass", fn.getClass().getName());
        }
    }

    /** Walks runtime objects (depth 3) for `accTypes` / `stateRetentionTime` fields. */
    static Object findFunction(Object o, IdentityHashMap<Object, Boolean> seen, int depth, Map<String, Object> sql) {
        if (o == null || depth > 3 || seen.put(o, true) != null) {
            return null;
        }
        Object found = null;
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Object v;
                try {
                    f.setAccessible(true);
                    v = f.get(o);
                } catch (Exception e) {
                    continue;
                }
                if (v == null) {
                    continue;
                }
                String name = f.getName();
                if (name.equals("accTypes") && v instanceof Object[] && !sql.containsKey("accTypes")) {
                    List<Object> l = Json.arr();
                    for (Object t : (Object[]) v) {
                        l.add(serializable(t));
                    }
                    sql.put("accTypes", l);
                    found = o;
                } else if ((name.equals("stateRetentionTime") || name.equals("stateRetentionTimeMs"))
                        && v instanceof Long && !sql.containsKey("stateRetentionMs")) {
                    sql.put("stateRetentionMs", v);
                } else if (v.getClass().getName().endsWith(".StateTtlConfig")
                        && !sql.containsKey("stateRetentionMs")) {
                    sql.put("stateRetentionMs", ttlMillis(v));
                } else if (v.getClass().getName().startsWith("org.apache.flink.table.runtime")
                        && !(v instanceof Object[])) {
                    Object inner = findFunction(v, seen, depth + 1, sql);
                    if (found == null) {
                        found = inner;
                    }
                }
            }
        }
        return found;
    }

    /** The TTL of a StateTtlConfig in milliseconds, 0 when disabled. */
    static long ttlMillis(Object ttlConfig) {
        try {
            if (!(Boolean) ttlConfig.getClass().getMethod("isEnabled").invoke(ttlConfig)) {
                return 0L;
            }
            Object ttl = field(ttlConfig, "ttl");
            for (String m : new String[] {"toMillis", "toMilliseconds"}) {
                try {
                    return (Long) ttl.getClass().getMethod(m).invoke(ttl);
                } catch (NoSuchMethodException e) {
                    // the other Flink line
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // unknown layout
        }
        return -1L;
    }

    static Object field(Object o, String name) {
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                // try the superclass
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
