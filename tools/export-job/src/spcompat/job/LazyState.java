package spcompat.job;

import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassReader;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.MethodVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.Opcodes;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * State an operator registers only when the first record arrives, which the capture savepoint
 * (taken before any record) therefore lacks: a window trigger's state (triggers have no open();
 * CountTrigger's "count" is registered by its first onElement) and state a user function gets
 * from its RuntimeContext outside open()/initializeState(), found in the function's bytecode
 * with Flink's shaded ASM. The export lists these operators as "stateNotCaptured".
 */
final class LazyState {
    private LazyState() {}

    /** Methods where registering state is the normal set-up, before any record. */
    private static final Set<String> SETUP = new HashSet<>(Arrays.asList(
            "open", "initializeState", "setRuntimeContext", "<init>", "<clinit>", "setup"));
    /** What a function calls to get keyed state (RuntimeContext, KeyedStateStore, a trigger's context). */
    private static final Set<String> GETTERS = new HashSet<>(Arrays.asList(
            "getState", "getListState", "getMapState", "getReducingState", "getAggregatingState",
            "getPartitionedState", "getKeyValueState"));
    private static final int MAX_DEPTH = 4;

    /** Why the node's state is not all in the capture savepoint, or null. */
    static String reason(StreamNode node) {
        StreamOperatorFactory<?> factory = node.getOperatorFactory();
        if (factory == null) return null;
        Object operator = factory instanceof SimpleOperatorFactory ? ((SimpleOperatorFactory<?>) factory).getOperator() : factory;
        List<String> why = new ArrayList<>();
        try {
            Object trigger = field(operator, "trigger");
            if (trigger != null) {
                String t = triggerState(trigger, 0);
                if (t != null) why.add("its window trigger " + trigger.getClass().getSimpleName() + " registers " + t);
            }
            for (Object f : userFunctions(operator)) {
                List<String> lazy = lazyMethods(f.getClass());
                if (!lazy.isEmpty()) {
                    why.add(f.getClass().getName() + " gets state in " + String.join(", ", lazy)
                            + " (outside open/initializeState)");
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // A class we cannot read or reflect on: say so rather than claim the state is all there.
            why.add("its classes could not be analysed (" + e + ")");
        }
        if (why.isEmpty()) return null;
        return "state registered on the first record is not in the export's savepoint (taken before any record): "
                + String.join("; ", why);
    }

    /** The states a trigger (or the triggers it wraps) registers, e.g. "`count` (ReducingStateDescriptor)", or null. */
    private static String triggerState(Object trigger, int depth) {
        if (depth > MAX_DEPTH) return null;
        Set<String> states = new LinkedHashSet<>();
        boolean calls = false;
        for (Class<?> c = trigger.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                Object v = get(f, trigger);
                if (v == null) continue;
                if (isDescriptor(v.getClass())) {
                    states.add("`" + descriptorName(v) + "` (" + v.getClass().getSimpleName() + ")");
                } else if (isTrigger(v.getClass())) {
                    String nested = triggerState(v, depth + 1);
                    if (nested != null) states.add(nested);
                }
            }
            if (!lazyCalls(c, true).isEmpty()) calls = true;
        }
        if (!states.isEmpty()) return String.join(", ", states);
        return calls ? "state" : null;
    }

    private static boolean isDescriptor(Class<?> c) {
        for (; c != null; c = c.getSuperclass()) {
            String n = c.getName();
            if (n.equals("org.apache.flink.api.common.state.StateDescriptor")
                    || n.equals("org.apache.flink.api.common.state.v2.StateDescriptor")) return true;
        }
        return false;
    }

    private static boolean isTrigger(Class<?> c) {
        for (; c != null; c = c.getSuperclass()) {
            String n = c.getName();
            if (n.endsWith(".Trigger") || n.endsWith(".AsyncTrigger")) return true;
        }
        return false;
    }

    private static String descriptorName(Object d) {
        try {
            Method m = d.getClass().getMethod("getName");
            return String.valueOf(m.invoke(d));
        } catch (ReflectiveOperationException e) {
            // A descriptor without getName (no release has one): the class must do.
            return d.getClass().getSimpleName();
        }
    }

    /** The user's functions of an operator: its user function, unwrapped from Flink's window wrappers. */
    private static List<Object> userFunctions(Object operator) {
        List<Object> out = new ArrayList<>();
        Object f = null;
        try {
            Method m = operator.getClass().getMethod("getUserFunction");
            f = m.invoke(operator);
        } catch (ReflectiveOperationException e) {
            f = field(operator, "windowFunction");
        }
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        Deque<Object[]> todo = new ArrayDeque<>();
        if (f != null) todo.push(new Object[] {f, 0});
        while (!todo.isEmpty()) {
            Object[] e = todo.pop();
            Object fn = e[0];
            int depth = (Integer) e[1];
            if (seen.put(fn, true) != null || depth > MAX_DEPTH) continue;
            if (fn.getClass().getName().startsWith("org.apache.flink.")) {
                // Flink's wrappers (InternalSingleValueWindowFunction, ...) hold the user's function.
                for (String name : new String[] {"wrappedFunction", "userFunction", "windowFunction"}) {
                    Object inner = field(fn, name);
                    if (inner != null) todo.push(new Object[] {inner, depth + 1});
                }
            } else {
                out.add(fn);
            }
        }
        return out;
    }

    /** The methods of the class and its non-Flink superclasses that get state outside set-up. */
    static List<String> lazyMethods(Class<?> cls) {
        List<String> out = new ArrayList<>();
        for (Class<?> c = cls; c != null && !c.getName().startsWith("org.apache.flink.") && c != Object.class;
                c = c.getSuperclass()) {
            out.addAll(lazyCalls(c, false));
        }
        return out;
    }

    /**
     * The methods of one class that call a state getter and are not reached from a set-up
     * method of the class (through calls on the class itself). With {@code anywhere}, every
     * method that calls one (a trigger has no set-up).
     */
    private static List<String> lazyCalls(Class<?> c, boolean anywhere) {
        String resource = c.getName().replace('.', '/') + ".class";
        ClassLoader loader = c.getClassLoader() != null ? c.getClassLoader() : ClassLoader.getSystemClassLoader();
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) return Collections.emptyList();
            bytes = in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
        String owner = c.getName().replace('.', '/');
        Map<String, Set<String>> calls = new HashMap<>(); // method -> methods of this class it calls
        Set<String> getters = new LinkedHashSet<>(); // methods that call a state getter
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] exc) {
                Set<String> mine = calls.computeIfAbsent(name, k -> new HashSet<>());
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String o, String n, String d, boolean itf) {
                        if (o.equals(owner)) mine.add(n);
                        else if (GETTERS.contains(n) && d.contains("StateDescriptor;")) getters.add(name);
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        Set<String> setup = new HashSet<>();
        if (!anywhere) {
            Deque<String> todo = new ArrayDeque<>();
            for (String m : calls.keySet()) if (SETUP.contains(m)) todo.push(m);
            while (!todo.isEmpty()) {
                String m = todo.pop();
                if (!setup.add(m)) continue;
                for (String callee : calls.getOrDefault(m, Collections.emptySet())) todo.push(callee);
            }
        }
        List<String> out = new ArrayList<>();
        for (String m : getters) if (!setup.contains(m)) out.add(m);
        return out;
    }

    /** A field of the object or its superclasses by name, or null. */
    private static Object field(Object target, String name) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                return get(c.getDeclaredField(name), target);
            } catch (NoSuchFieldException e) {
                // look further up
            }
        }
        return null;
    }

    private static Object get(Field f, Object target) {
        try {
            f.setAccessible(true);
            return f.get(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // A field of a module we may not open (Java 17): not one of ours.
            return null;
        }
    }
}
