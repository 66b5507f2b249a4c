package spcompat.sql;

import com.example.common.Json;

import org.apache.flink.configuration.Configuration;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * Command line: {@code ExportSql --script FILE --out JOB.json [--plan-out PLAN.json]
 * [--from-plan] [--parallelism N]}. Writes the job-graph file (spcompat-job-graph/1) with the
 * operator IDs Flink computes, and the script's compiled plan.
 */
public final class ExportSql {
    public static void main(String[] args) throws Exception {
        String script = null;
        String out = null;
        String planOut = null;
        boolean fromPlan = false;
        int parallelism = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--script":
                    script = args[++i];
                    break;
                case "--out":
                    out = args[++i];
                    break;
                case "--plan-out":
                    planOut = args[++i];
                    break;
                case "--from-plan":
                    fromPlan = true;
                    break;
                case "--parallelism":
                    parallelism = Integer.parseInt(args[++i]);
                    break;
                default:
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
            }
        }
        if (script == null || out == null) {
            System.err.println("usage: ExportSql --script FILE --out JOB.json [--plan-out PLAN.json] [--from-plan] [--parallelism N]");
            System.exit(2);
        }
        File scriptFile = new File(script);
        SqlScript s = SqlScript.parse(new String(Files.readAllBytes(scriptFile.toPath()), StandardCharsets.UTF_8));
        if (s.inserts.isEmpty() && s.executePlanFile == null) {
            System.err.println(script + ": no INSERT INTO statement and no EXECUTE PLAN: nothing to export");
            System.exit(2);
        }
        Exporter ex = Exporter.create(s, new Configuration(), parallelism);
        Exporter.Result r = ex.export(s, scriptFile.getAbsoluteFile().getParentFile(), fromPlan);
        Files.write(new File(out).toPath(), Json.write(r.jobGraph, Json.Layout.SCALAR_ARRAYS).getBytes(StandardCharsets.UTF_8));
        if (planOut != null) {
            Files.write(new File(planOut).toPath(), r.planJson.getBytes(StandardCharsets.UTF_8));
        }
    }
}
