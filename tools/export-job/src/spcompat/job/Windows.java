package spcompat.job;

import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a DataStream window operator is built from: its assigner, trigger, evictor and allowed
 * lateness. None of it is in a savepoint (the windows' contents are state, their bounds and
 * firing are code), so a changed window size or trigger restores silently; the export writes
 * it so that spcompat can compare two versions of a job and warn.
 */
final class Windows {
    private Windows() {}

    /** The node's window, or null when its operator is not a window operator. */
    static Map<String, Object> describe(StreamNode node) {
        StreamOperatorFactory<?> factory = node.getOperatorFactory();
        if (!(factory instanceof SimpleOperatorFactory)) return null;
        Object operator = ((SimpleOperatorFactory<?>) factory).getOperator();
        Object assigner = field(operator, "windowAssigner");
        if (assigner == null) return null;
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("assigner", text(assigner));
        Object trigger = field(operator, "trigger");
        if (trigger != null) w.put("trigger", text(trigger));
        Object evictor = field(operator, "evictor");
        if (evictor != null) w.put("evictor", text(evictor));
        Object lateness = field(operator, "allowedLateness");
        if (lateness instanceof Long) w.put("allowedLateness", lateness);
        return w;
    }

    /**
     * Flink's assigners and triggers print their parameters (`TumblingEventTimeWindows(3600000)`);
     * an object without its own toString prints its class, and identity hashes (a user function
     * inside DeltaTrigger's text) are left out, so that the same job always gives the same text.
     */
    private static String text(Object o) {
        String s = String.valueOf(o);
        if (s.equals(o.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(o)))) {
            return o.getClass().getSimpleName();
        }
        return s.replaceAll("@[0-9a-f]{1,8}\\b", "");
    }

    private static Object field(Object target, String name) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // look further up
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }
}
