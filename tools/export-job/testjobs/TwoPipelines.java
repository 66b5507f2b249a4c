package testjobs;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A main() that submits two pipelines, the first with executeAsync and the second with
 * execute, and only then returns: export-job must keep both and not run either. */
public final class TwoPipelines {
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSource(new NumberSequenceSource(0, 10), WatermarkStrategy.noWatermarks(), "first")
                .uid("first").map(x -> x).returns(Types.LONG).uid("first-map").print();
        env.executeAsync("first");
        env.fromSource(new NumberSequenceSource(0, 10), WatermarkStrategy.noWatermarks(), "second")
                .uid("second").print();
        env.execute("second");
        System.out.println("main() went on after both executes");
    }
}
