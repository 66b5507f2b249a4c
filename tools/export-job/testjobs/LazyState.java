package testjobs;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

import java.io.File;

/**
 * A job whose state is registered on the first record, not in open(): a count window
 * (countWindow = GlobalWindows + PurgingTrigger(CountTrigger), whose ReducingState "count" the
 * trigger registers in onElement) and a KeyedProcessFunction that gets its ValueState in
 * processElement. A savepoint taken before any record lacks both states.
 *
 *   main()                      the job (as export-job runs it)
 *   main("--record", DIR)       runs it locally with records for a few seconds and writes a
 *                               canonical savepoint into DIR (record-lazy-state.sh)
 */
public final class LazyState {
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromSource(new NumberSequenceSource(0, 100_000_000L), WatermarkStrategy.noWatermarks(), "numbers")
                .uid("numbers")
                .map(new Slow()).uid("slow")
                .keyBy(x -> x % 4, Types.LONG)
                .countWindow(3).reduce(Long::sum).uid("count-window")
                .keyBy(x -> x % 4, Types.LONG)
                .process(new LastSeen()).uid("last-seen")
                .sinkTo(new DiscardingSink<>()).uid("discard");
        if (args.length == 2 && args[0].equals("--record")) {
            JobClient job = env.executeAsync("lazy-state");
            Thread.sleep(5_000);
            String path = job.triggerSavepoint(new File(args[1]).toURI().toString(), SavepointFormatType.CANONICAL).get();
            job.cancel().get();
            System.out.println("savepoint " + path);
        } else {
            env.execute("lazy-state");
        }
    }

    /** Keeps the job running (records trickle through, ~1000/s). */
    public static final class Slow implements MapFunction<Long, Long> {
        @Override
        public Long map(Long x) throws Exception {
            Thread.sleep(1);
            return x;
        }
    }

    /** Gets its state on each record (no open()): the state exists only once a record came. */
    public static final class LastSeen extends KeyedProcessFunction<Long, Long, Long> {
        @Override
        public void processElement(Long x, Context ctx, Collector<Long> out) throws Exception {
            ValueState<Long> last = getRuntimeContext().getState(new ValueStateDescriptor<>("last", Types.LONG));
            last.update(x);
            out.collect(x);
        }
    }
}
