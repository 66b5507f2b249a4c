package bench;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/** A job of about 50 operators for timing export-job: a source, then 24 pairs of a map and a
 * keyed operator with one ValueState each, then a print sink. */
public final class Ops50 {
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<Long> s = env.fromSource(new NumberSequenceSource(0, Long.MAX_VALUE),
                WatermarkStrategy.noWatermarks(), "numbers").uid("numbers");
        for (int i = 0; i < 24; i++) {
            s = s.map(x -> x + 1).returns(Types.LONG).uid("map-" + i).name("map-" + i);
            s = s.keyBy(x -> x % 7, Types.LONG).process(new Count()).uid("count-" + i).name("count-" + i);
        }
        s.print().uid("print");
        env.execute("ops50");
    }

    static final class Count extends KeyedProcessFunction<Long, Long, Long> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext ctx) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(Long v, Context ctx, Collector<Long> out) throws Exception {
            Long c = count.value();
            count.update(c == null ? 1 : c + 1);
            out.collect(v);
        }
    }
}
